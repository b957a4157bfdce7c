// The keystone strategy: X-Auth-Token validated against Keystone v3 with the service's own token.
//
// Project and roles come from the validated token only; a client's X-Project-ID is ignored. Valid
// tokens are cached (by SHA-256 of the token) until they expire or for `cacheSeconds`, whichever is
// sooner, so a revoked token is refused at the latest `cacheSeconds` after its revocation.

import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ServiceUnavailable, Unauthorized } from '../core/errors';
import type { AuthRequest, Authenticator, Identity } from './identity';

/** Service credentials and cache settings of the keystone strategy. */
export interface KeystoneOptions {
  /** Keystone v3 base URL, e.g. http://127.0.0.1:5000/v3 */
  url: string;
  username: string;
  password: string;
  /** The service user's project (name). */
  project: string;
  userDomain: string;
  projectDomain: string;
  /** Longest a validated token is trusted without asking Keystone again, in seconds (0: always ask). */
  cacheSeconds: number;
  /** Most tokens kept in the cache. */
  cacheSize: number;
  /** How long one call to Keystone may take, in ms. */
  timeoutMs: number;
  /** Clock (tests may move it). */
  now?: () => number;
}

interface CachedIdentity {
  identity: Identity;
  /** When this entry stops being trusted (epoch ms). */
  until: number;
}

interface TokenBody {
  token?: {
    expires_at?: string;
    project?: { id?: string };
    roles?: Array<{ name?: string }>;
    user?: { id?: string };
  };
}

export class KeystoneAuth implements Authenticator {
  readonly strategy = 'keystone';
  private readonly cache: LRUCache<string, CachedIdentity>;
  private readonly now: () => number;
  private serviceToken?: { value: string; expires: number };
  private readonly challenge: string;

  constructor(private readonly options: KeystoneOptions) {
    this.cache = new LRUCache({ max: Math.max(1, options.cacheSize) });
    this.now = options.now ?? Date.now;
    this.challenge = `Keystone uri="${options.url.replace(/\/v3\/?$/, '')}"`;
  }

  async authenticate(request: AuthRequest): Promise<Identity> {
    const token = request.header('X-Auth-Token');
    if (!token) throw this.unauthorized('The request you have made requires authentication.');
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.identity;
    const { identity, expires } = await this.validate(token);
    const until = Math.min(expires, this.now() + this.options.cacheSeconds * 1000);
    if (until > this.now()) this.cache.set(key, { identity, until });
    return identity;
  }

  /** Asks Keystone about a token; retries once with a fresh service token if Keystone refuses ours. */
  private async validate(token: string): Promise<{ identity: Identity; expires: number }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const service = await this.service(attempt > 0);
      const res = await this.call('GET', '/auth/tokens', { 'X-Auth-Token': service, 'X-Subject-Token': token });
      if (res.status === 401 && attempt === 0) continue;
      if (res.status === 404 || res.status === 401)
        throw this.unauthorized('The token is invalid, expired or revoked.');
      if (res.status !== 200) throw new ServiceUnavailable(`The identity service answered ${res.status}.`);
      const body = (await res.json()) as TokenBody;
      const projectId = body.token?.project?.id;
      if (!projectId) throw this.unauthorized('The token is not scoped to a project.');
      const expires = Date.parse(body.token?.expires_at ?? '');
      if (!(expires > this.now())) throw this.unauthorized('The token is invalid, expired or revoked.');
      const roles = (body.token?.roles ?? []).map((r) => r.name ?? '').filter(Boolean);
      return { identity: { projectId, roles, userId: body.token?.user?.id, via: 'keystone' }, expires };
    }
    throw new ServiceUnavailable('The identity service refused the gateway’s service credentials.');
  }

  /** The service user's token, fetched with its password and kept until shortly before it expires. */
  private async service(renew: boolean): Promise<string> {
    if (!renew && this.serviceToken && this.serviceToken.expires - 60_000 > this.now()) return this.serviceToken.value;
    const o = this.options;
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: o.username, password: o.password, domain: { name: o.userDomain } } },
        },
        scope: { project: { name: o.project, domain: { name: o.projectDomain } } },
      },
    };
    const res = await this.call('POST', '/auth/tokens', { 'Content-Type': 'application/json' }, JSON.stringify(body));
    const value = res.headers.get('x-subject-token');
    if (res.status !== 201 || !value) {
      throw new ServiceUnavailable('The identity service refused the gateway’s service credentials.');
    }
    const parsed = (await res.json()) as TokenBody;
    this.serviceToken = { value, expires: Date.parse(parsed.token?.expires_at ?? '') || this.now() + 300_000 };
    return value;
  }

  private async call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Response> {
    try {
      return await fetch(`${this.options.url.replace(/\/$/, '')}${path}`, {
        method,
        headers: { Accept: 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch {
      throw new ServiceUnavailable('The identity service is unreachable.');
    }
  }

  private unauthorized(description: string): Unauthorized {
    return new Unauthorized(description, { 'WWW-Authenticate': this.challenge });
  }
}
