// Session authentication over websocket: the `authenticate` action and each request's identity,
// built on the same auth strategy (noauth or keystone) as the HTTP API.

import type { AuthRequest, Authenticator, Identity } from '../../auth/identity';
import { NoAuth } from '../../auth/noauth';
import { Unauthorized } from '../../core/errors';
import type { JsonObject } from '../../core/types';

/** The outcome of an authenticate request; a success carries what the session keeps. */
export type AuthOutcome = { ok: true; token?: string } | { ok: false; status: number };

/** What a session remembers of its authentication. */
export interface AuthState {
  /** The token an authenticate request validated (keystone). */
  token?: string;
}

/**
 * How a websocket session authenticates (Zaqar: the `authenticate` action with X-Auth-Token) and
 * who each of its requests acts for.
 */
export interface WebsocketAuthenticator {
  /** Whether a session must authenticate before any other action (Zaqar answers 403 "Not authentified."). */
  readonly required: boolean;
  /** Checks the credentials an authenticate request carries in its headers. */
  authenticate(headers: JsonObject): Promise<AuthOutcome>;
  /**
   * The identity of one request. Under keystone it is the session's token, checked again (so an
   * expired or revoked token stops working), and the request's X-Project-ID is ignored: a session
   * authenticated for project A can never act on project B.
   */
  identify(headers: JsonObject, session: AuthState): Promise<Identity>;
}

/** Frame headers as the auth layer reads them (case-insensitive, strings only). */
function frameRequest(headers: JsonObject, overrides: Record<string, string | undefined> = {}): AuthRequest {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') lower.set(k.toLowerCase(), v);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) lower.delete(k.toLowerCase());
    else lower.set(k.toLowerCase(), v);
  }
  return { header: (name) => lower.get(name.toLowerCase()), method: 'WEBSOCKET', path: '' };
}

/** The websocket face of an HTTP auth strategy. */
export function websocketAuthenticator(auth: Authenticator): WebsocketAuthenticator {
  if (auth.strategy === 'noauth') {
    return {
      required: false,
      authenticate: async () => ({ ok: true }),
      identify: (headers) => auth.authenticate(frameRequest(headers)),
    };
  }
  return {
    required: true,
    async authenticate(headers) {
      const token = typeof headers['X-Auth-Token'] === 'string' ? headers['X-Auth-Token'] : undefined;
      try {
        await auth.authenticate(frameRequest(headers));
      } catch (err) {
        if (err instanceof Unauthorized) return { ok: false, status: 401 };
        throw err;
      }
      return { ok: true, token };
    },
    identify: (headers, session) => auth.authenticate(frameRequest(headers, { 'X-Auth-Token': session.token })),
  };
}

/** noauth without admin mode (the default of tests that build a server directly). */
export const noauthAuthenticator: WebsocketAuthenticator = websocketAuthenticator(new NoAuth(false));
