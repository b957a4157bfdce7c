// Session authentication over websocket: the `authenticate` action's seam, with the noauth strategy qgate has today.

import type { JsonObject } from '../../core/types';

/** The outcome of an authenticate request. */
export type AuthOutcome = { ok: true } | { ok: false; status: number };

/**
 * How a websocket session authenticates (Zaqar: the `authenticate` action with X-Auth-Token).
 * The identity work adds a keystone strategy; it will also end sessions whose token expired
 * (Zaqar closes them with 4003 "Authentication expired.").
 */
export interface WebsocketAuthenticator {
  /** Whether a session must authenticate before any other action (Zaqar answers 403 "Not authentified."). */
  readonly required: boolean;
  /** Checks the credentials an authenticate request carries in its headers. */
  authenticate(headers: JsonObject): Promise<AuthOutcome>;
}

/** noauth: nothing is required, and an authenticate request is accepted as it is. */
export const noauthAuthenticator: WebsocketAuthenticator = {
  required: false,
  authenticate: async () => ({ ok: true }),
};
