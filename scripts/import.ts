/**
 * History import from the command line: posts an NDJSON file (one ingestion-shaped event per line)
 * to the running service's `POST /api/admin/import` in batches, with progress on stderr.
 *
 *   npm run import -- <file.ndjson> [--url <service URL>] [--batch 5000] [--token <jwt>]
 *
 * The service: --url, else SERVICE_URL, else the `npm start` running on DATA_DIR (its
 * service.json). Progress (share of the file, events/s, ETA) on stderr: redrawn in place on a
 * terminal, a plain line every 5 s otherwise.
 *
 * Without --token it signs a short-lived admin token with AUTH_JWT_SECRET (or the dev secret the
 * service would use). Re-running the same file is safe: events already stored come back as
 * duplicates (within the dedup window, DEDUP_WINDOW_HOURS). Exits non-zero if any event was
 * rejected or a request failed; rejected events are printed as JSON lines on stdout.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { z } from 'zod';
import { resolveJwtSecret } from '../src/auth/devSecret';
import { signToken } from '../src/auth/token';
import { loadConfig } from '../src/config/config';
import { MAX_IMPORT_EVENTS } from '../src/ingestion/importEvents';
import { progressReporter } from './lib/progress';
import { resolveTarget } from './lib/target';

const argsSchema = z.object({
  file: z.string().min(1, 'usage: npm run import -- <file.ndjson> [--url ...] [--batch n]'),
  url: z.url().optional(),
  batch: z.coerce.number().int().min(1).max(MAX_IMPORT_EVENTS).default(5000),
  token: z.string().optional(),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) raw[a.slice(2)] = argv[++i] ?? '';
    else raw.file ??= a;
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

type Reply = {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id?: string; errors: unknown[] }[];
};

async function postBatch(url: string, token: string, lines: string[]): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api/admin/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body: lines.join('\n'),
    });
    // 503: the store is down and nothing was half-written; retrying is safe (dedup).
    if ((res.status === 503 || res.status === 429) && attempt < 10) {
      const wait = Number(res.headers.get('retry-after') ?? 0) * 1000 || 500 * attempt;
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    const body = (await res.json()) as Reply & { title?: string };
    if (res.status !== 200 && res.status !== 400) {
      throw new Error(`import failed: ${res.status} ${body.title ?? ''}`);
    }
    return body;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const url = (args.url ?? resolveTarget(config, ['service']).serviceUrl).replace(/\/+$/, '');
  const secret = resolveJwtSecret(config);
  if (!args.token && !secret) throw new Error('no --token and no AUTH_JWT_SECRET to sign one');
  const token = args.token ?? signToken(secret!, { sub: 'import-cli', role: 'admin' }, '1h');
  const total = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const fileBytes = fs.statSync(args.file).size;
  const progress = progressReporter({ label: 'import' });
  const input = readline.createInterface({ input: fs.createReadStream(args.file) });
  let batch: string[] = [];
  let offset = 0;
  let bytesRead = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const reply = await postBatch(url, token, batch);
    total.accepted += reply.accepted;
    total.duplicates += reply.duplicates;
    total.rejected += reply.rejected.length;
    for (const r of reply.rejected) {
      process.stdout.write(`${JSON.stringify({ event: offset + r.index + 1, ...r })}\n`);
    }
    offset += batch.length;
    batch = [];
    progress.update({ done: bytesRead, total: fileBytes, count: offset });
  };
  for await (const line of input) {
    bytesRead += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    total.lines += 1;
    batch.push(line);
    if (batch.length >= args.batch) await flush();
  }
  await flush();
  progress.finish({ done: fileBytes, total: fileBytes, count: offset });
  process.stderr.write(
    `${offset} events: ${total.accepted} accepted, ${total.duplicates} duplicates, ${total.rejected} rejected\n`,
  );
  if (total.rejected > 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
