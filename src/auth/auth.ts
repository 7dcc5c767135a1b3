import { createSecretKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../errors';

export const roles = ['admin', 'artist', 'listener'] as const;
export type Role = (typeof roles)[number];

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(roles),
  artistId: z.string().min(1).optional(),
});

/** Who is calling, as verified from the bearer token (SPEC "Query API"). */
export type Principal = z.infer<typeof claimsSchema>;

type Outcome = { principal?: Principal; problem?: string };

/**
 * Builds the JWT (HS256) authentication for the HTTP edge with passport-jwt.
 * `authenticate` never rejects on its own: it sets `ctx.state.user` when a valid token is
 * present and remembers why a presented token was refused; `requireRole` enforces.
 */
export function createAuth(secret: string | undefined) {
  const passport = new Passport();
  if (secret) {
    passport.use(
      new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          // A KeyObject, not the string: jsonwebtoken otherwise tries to parse the string as a
          // PEM public key (and throws) on every request before using it as the HMAC secret,
          // which cost ~1.5 ms per request.
          secretOrKey: createSecretKey(Buffer.from(secret, 'utf8')) as unknown as string,
          algorithms: ['HS256'],
        },
        (
          payload: unknown,
          done: (err: unknown, user?: Principal | false, info?: unknown) => void,
        ) => {
          const claims = claimsSchema.safeParse(payload);
          if (!claims.success) return done(null, false, { message: 'token claims are invalid' });
          if (claims.data.role === 'artist' && !claims.data.artistId) {
            return done(null, false, { message: 'artist token without artistId' });
          }
          return done(null, claims.data);
        },
      ),
    );
  }

  const verify = (req: IncomingMessage, res: ServerResponse): Promise<Outcome> =>
    new Promise((resolve) => {
      if (!secret)
        return resolve({ problem: 'authentication is not configured (AUTH_JWT_SECRET)' });
      passport.authenticate(
        'jwt',
        { session: false },
        (err: unknown, user: Principal | false, info?: { message?: string }) => {
          if (err || !user) resolve({ problem: info?.message ?? 'invalid token' });
          else resolve({ principal: user });
        },
      )(req, res, () => resolve({ problem: 'invalid token' }));
    });

  const authenticate: Middleware = async (ctx, next) => {
    if (ctx.get('authorization')) {
      const outcome = await verify(ctx.req, ctx.res);
      if (outcome.principal) ctx.state.user = outcome.principal;
      else ctx.state.authProblem = outcome.problem;
    }
    await next();
  };

  const requireRole =
    (...allowed: Role[]): Middleware =>
    async (ctx, next) => {
      const user = ctx.state.user as Principal | undefined;
      if (!user) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new UnauthorizedError(ctx.state.authProblem ?? 'a bearer token is required');
      }
      if (!allowed.includes(user.role)) {
        throw new ForbiddenError(
          `role ${user.role} may not do this (needs ${allowed.join(' or ')})`,
        );
      }
      await next();
    };

  return { authenticate, requireRole };
}

export type Auth = ReturnType<typeof createAuth>;
