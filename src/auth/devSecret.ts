import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';

/**
 * AUTH_JWT_SECRET when set. Outside production, a missing secret is generated once into
 * DATA_DIR/jwt-secret so `npm start` and `npm run token` agree out of the box.
 * In production an unset secret stays unset: every protected route then answers 401.
 */
export function resolveJwtSecret(config: Config): string | undefined {
  if (config.jwtSecret || config.env === 'production') return config.jwtSecret;
  const file = path.join(config.dataDir, 'jwt-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process won the race
    }
  }
}
