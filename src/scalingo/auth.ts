import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import type { World } from '../store.js';
import { scalingoError } from './errors.js';
import { userJson } from './json.js';

/** Lifetime of an exchanged token; clients exchange again when under 5 minutes remain. */
export const JWT_TTL_SECONDS = 3600;

// One secret per process: a token stays valid across resets, as a client's cached token would.
const secret = randomBytes(32);
const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signToken(world: World): string {
  const iat = Math.floor(world.clock.now() / 1000);
  const payload = b64url(JSON.stringify({ iss: 'jobfake', sub: world.scalingo.user.id, ns: world.name, iat, exp: iat + JWT_TTL_SECONDS }));
  const signature = b64url(createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest());
  return `${HEADER}.${payload}.${signature}`;
}

type Claims = { ns?: unknown; exp?: unknown };
/**
 * Claims of tokens whose signature already checked out: a client polls with the same token, and
 * the HMAC and JSON parse were a sixth of a poll's CPU. Namespace and expiry are still checked on
 * every call (the clock moves). Bounded: emptied when full.
 */
const verified = new Map<string, Claims>();
const VERIFIED_KEPT = 10_000;

/** The claims of a token signed by this process, or why it is refused. */
function verifiedClaims(token: string): Claims | string {
  const known = verified.get(token);
  if (known) return known;
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length > 0) return 'invalid token: not a JWT';
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid token: bad signature';
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'invalid token: unreadable claims';
  }
  if (verified.size >= VERIFIED_KEPT) verified.clear();
  verified.set(token, claims);
  return claims;
}

/** Checks a token handed out by signToken for this namespace; returns why it is refused, or undefined. */
export function tokenProblem(world: World, token: string): string | undefined {
  const claims = verifiedClaims(token);
  if (typeof claims === 'string') return claims;
  if (claims.ns !== world.name) return 'invalid token: issued for another namespace';
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= world.clock.now()) return 'token is expired';
  return undefined;
}

/** The token of a Bearer Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** The password of a Basic Authorization header (the user is empty for Scalingo). */
export function basicPassword(header: string | undefined): string | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * Every API call needs `Authorization: Bearer <token from /v1/tokens/exchange>`. Not async: on
 * every authenticated request, no promise of its own around next().
 */
export const requireBearer: MiddlewareHandler<AppEnv> = (c, next) => {
  const header = c.req.header('authorization');
  const token = bearerToken(header);
  if (!token) return Promise.resolve(scalingoError(c, 401, 'missing or malformed Authorization header: expected "Bearer <token>" from POST /v1/tokens/exchange'));
  const problem = tokenProblem(c.get('world'), token);
  if (problem) return Promise.resolve(scalingoError(c, 401, problem));
  return next();
};

export function authRoutes(api: Hono<AppEnv>): void {
  api.post('/v1/tokens/exchange', (c) => {
    const world = c.get('world');
    const apiToken = basicPassword(c.req.header('authorization'));
    if (apiToken === undefined) return scalingoError(c, 401, 'missing Basic Authorization header: send the API token as the password, with an empty user');
    if (!world.scalingo.acceptsToken(apiToken)) return scalingoError(c, 401, 'invalid API token');
    return c.json({ token: signToken(world) });
  });

  api.get('/v1/users/self', requireBearer, (c) => c.json({ user: userJson(c.get('world').scalingo) }));

  api.get('/v1/regions', requireBearer, (c) => {
    const base = c.get('baseUrl');
    return c.json({
      regions: [
        { name: 'jobfake', display_name: 'jobfake (local fake)', ssh: 'ssh.jobfake.invalid:22', api: base, dashboard: base, database_api: base, default: true },
      ],
    });
  });
}
