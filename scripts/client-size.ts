/**
 * Prints the minified and minified+gzipped size of the SDK core (client/dist/stats.js as
 * `npm run build:client` would write it), built in memory. Budget: 3 KB gzipped.
 * Usage: npx tsx scripts/client-size.ts [--max-bytes N]  (exit 1 when over N)
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { coreOptions } from '../client/build';

async function main(): Promise<void> {
  const out = await build({ ...coreOptions, write: false });
  const code = out.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no output');
  const gzipped = gzipSync(code, { level: 9 }).length;
  const flag = process.argv.indexOf('--max-bytes');
  const max = flag > 0 ? Number(process.argv[flag + 1]) : 3072;
  console.log(
    `client core (client/dist/stats.js): ${code.length} B minified, ${gzipped} B min+gzip (budget ${max} B)`,
  );
  if (gzipped > max) {
    console.error(`over budget by ${gzipped - max} B`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
