/**
 * `--name value` / `--name=value` arguments of the standalone store CLIs (`npm run eventstore`,
 * `npm run mongo`), keys camel-cased (`--max-size` → `maxSize`), to be checked with zod.
 */
export function parseCliArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const key = k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    out[key] = inline ?? argv[++i] ?? '';
  }
  return out;
}
