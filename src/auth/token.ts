import jwt from 'jsonwebtoken';
import type { Principal } from './auth';

/** Signs a token the service accepts (HS256). Used by `npm run token` and by tests. */
export function signToken(secret: string, principal: Principal, expiresIn = '12h'): string {
  return jwt.sign({ ...principal }, secret, {
    algorithm: 'HS256',
    expiresIn: expiresIn as jwt.SignOptions['expiresIn'],
  });
}
