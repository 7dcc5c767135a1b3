import type { Context } from 'koa';
import { PayloadTooLargeError, ValidationError } from '../errors';

/**
 * Reads the request body as UTF-8 text, at most `limit` bytes (413 beyond, before reading when
 * Content-Length already says so). Used by the ingestion and import routes, which parse
 * themselves: JSON under `application/json` or `text/plain` (sendBeacon), NDJSON for imports.
 */
export async function readText(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > limit) throw tooLarge(limit);
  const encoding = ctx.get('content-encoding');
  if (encoding && encoding !== 'identity') {
    throw new ValidationError(`content-encoding ${encoding} is not supported`, [
      { path: 'content-encoding', message: 'send the body uncompressed' },
    ]);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** JSON.parse with a 400 that says so. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body is not valid JSON', [
      { path: 'body', message: 'malformed JSON' },
    ]);
  }
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body larger than ${limit} bytes`);
}
