import { parseArgs } from 'node:util';
import { z } from 'zod';
import { roles } from '../src/auth/auth';
import { resolveJwtSecret } from '../src/auth/devSecret';
import { signToken } from '../src/auth/token';
import { loadConfig } from '../src/config/config';

/**
 * npm run token -- --role admin | --role artist --artist <id> [--sub <user>] [--expires 12h]
 *   [--url [--base http://host:port]]
 * Prints a bearer token, or with --url a dashboard sign-in link (`<base>/dashboard#token=…`;
 * base defaults to http://localhost:$PORT).
 */
const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'admin' },
    artist: { type: 'string' },
    sub: { type: 'string' },
    expires: { type: 'string', default: '12h' },
    url: { type: 'boolean', default: false },
    base: { type: 'string' },
  },
});
const args = z
  .object({
    role: z.enum(roles),
    artist: z.string().min(1).optional(),
    sub: z.string().min(1).optional(),
    expires: z.string().regex(/^\d+[smhd]?$/, 'like 30m, 12h or 7d'),
    url: z.boolean(),
    base: z.url({ protocol: /^https?$/, message: 'like http://host:port' }).optional(),
  })
  .refine((a) => a.role !== 'artist' || a.artist, {
    message: '--artist <id> is required for --role artist',
    path: ['artist'],
  })
  .refine((a) => a.url || a.base === undefined, {
    message: 'only with --url',
    path: ['base'],
  })
  .safeParse(values);
if (!args.success) {
  for (const i of args.error.issues) process.stderr.write(`--${i.path.join('.')}: ${i.message}\n`);
  process.exit(2);
}
const config = loadConfig();
const secret = resolveJwtSecret(config);
if (!secret) {
  process.stderr.write('AUTH_JWT_SECRET is not set: the service and this script must share it\n');
  process.exit(2);
}
const { role, artist, sub, expires, url, base } = args.data;
const token = signToken(
  secret,
  { sub: sub ?? `${role}-cli`, role, ...(artist ? { artistId: artist } : {}) },
  expires,
);
const origin = (base ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
process.stdout.write(url ? `${origin}/dashboard#token=${token}\n` : `${token}\n`);
