// One decoded request to one reply: Zaqar's checks (shape, action, schema, auth), the context, the operation.

import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../api/context';
import type { Operations } from '../../api/operations';
import { QgateError } from '../../core/errors';
import type { JsonObject } from '../../core/types';
import { isJsonObject, validateClientId } from '../../core/validation';
import type { Logger } from '../../observability/logger';
import { websocketActions } from './actions/table';
import type { ActionSession } from './actions/types';
import type { AuthState, WebsocketAuthenticator } from './auth';
import { isAdminIdentity } from '../../auth/identity';
import type { FrameEncoding } from './codec';
import {
  errorReply,
  internalErrorReply,
  protocolError,
  type RequestEcho,
  reply,
  requestEcho,
  type ZaqarReply,
} from './envelope';
import { schemaViolation } from './schema';
import type { WebsocketSubscriptions } from './subscriptions';

/** What dispatch needs besides the request. */
export interface DispatchDeps {
  ops: Operations;
  authenticator: WebsocketAuthenticator;
  /** The subscription operations, when the deployment has them (today: never, so they answer 501). */
  subscriptions?: WebsocketSubscriptions;
  /** Whether noauth callers are admins (config admin_mode), as over HTTP. */
  adminMode: boolean;
}

/** The session state dispatch reads and writes. */
export interface DispatchSession extends ActionSession, AuthState {
  /** Whether an authenticate request succeeded on this session. */
  authenticated: boolean;
  /** The session's logger. */
  readonly log: Logger;
}

/** What answering one request produced. */
export interface DispatchOutcome {
  reply: ZaqarReply;
  /** The action for metrics: a known action's name, or "invalid" (client-chosen names never become labels). */
  action: string;
  /** Why the reply is an error, for the error counter; undefined on success. */
  errorKind?: string;
}

const AUTHENTICATE = 'authenticate';
const INVALID = 'invalid';

/** The reply to a frame that could not be decoded (Zaqar: 400 with an empty request echo). */
export function undecodableFrame(error: string): DispatchOutcome {
  return { reply: protocolError(requestEcho(), 400, error), action: INVALID, errorKind: 'decode' };
}

/** Answers one decoded request; never throws. */
export async function dispatchRequest(
  deps: DispatchDeps,
  session: DispatchSession,
  payload: unknown,
  encoding: FrameEncoding,
): Promise<DispatchOutcome> {
  if (!isJsonObject(payload)) {
    const error = 'Unexpected body type. Expected dict or dict like.';
    return { reply: protocolError(requestEcho(), 400, error), action: INVALID, errorKind: 'decode' };
  }
  const echo = requestEcho(payload);
  const name = payload.action;
  if (name === AUTHENTICATE) return authenticate(deps, session, payload);
  const definition = typeof name === 'string' ? websocketActions.get(name) : undefined;
  if (!definition) {
    const error = `${describeAction(name)} is not a valid action`;
    return { reply: protocolError(echo, 400, error), action: INVALID, errorKind: 'invalid_action' };
  }
  const label = name as string;
  const violation = schemaViolation(payload, definition);
  if (violation !== undefined) {
    return {
      reply: protocolError(echo, 400, 'Schema validation failed.', violation),
      action: label,
      errorKind: 'schema',
    };
  }
  if (deps.authenticator.required && !session.authenticated) {
    return { reply: protocolError(echo, 403, 'Not authentified.'), action: label, errorKind: 'unauthenticated' };
  }
  const requestId = `req-${randomUUID()}`;
  const log = session.log.child({ reqId: requestId });
  try {
    const ctx = await requestContext(deps, session, payload.headers as JsonObject, requestId, log);
    const body = (payload.body ?? {}) as JsonObject;
    const result = await definition.run({
      ops: deps.ops,
      ctx,
      body,
      encoding,
      session,
      subscriptions: deps.subscriptions,
    });
    return { reply: reply(echo, result.status, result.body), action: label };
  } catch (err) {
    return { ...failure(echo, err, requestId, log), action: label };
  }
}

/** The context of a request: Client-ID by the HTTP API's rules, identity from the auth strategy. */
async function requestContext(
  deps: DispatchDeps,
  session: DispatchSession,
  headers: JsonObject,
  requestId: string,
  log: Logger,
): Promise<RequestContext> {
  const clientId = validateClientId(headers['Client-ID'] as string | undefined, deps.ops.deps.limits);
  const identity = await deps.authenticator.identify(headers, session);
  return {
    projectId: identity.projectId,
    clientId,
    requestId,
    roles: identity.roles,
    isAdmin: isAdminIdentity(identity),
    log,
  };
}

/** A thrown error as a reply: typed errors with their status, anything else a logged 500. */
function failure(echo: RequestEcho, err: unknown, requestId: string, log: Logger): Omit<DispatchOutcome, 'action'> {
  if (err instanceof QgateError) {
    if (err.status >= 500) log.warn({ status: err.status, description: err.description }, err.title);
    return { reply: errorReply(echo, err), errorKind: err.status >= 500 ? 'server_error' : 'client_error' };
  }
  log.error({ err }, 'unexpected error in a websocket request');
  return { reply: internalErrorReply(echo, requestId), errorKind: 'internal' };
}

/** The authenticate action: Zaqar replies with a fresh request echo naming only the action. */
async function authenticate(
  deps: DispatchDeps,
  session: DispatchSession,
  payload: Record<string, unknown>,
): Promise<DispatchOutcome> {
  const echo = requestEcho({ action: AUTHENTICATE });
  const headers = payload.headers;
  if (!isJsonObject(headers)) {
    const reply = protocolError(requestEcho(payload), 400, 'Schema validation failed.', '"headers" must be an object.');
    return { reply, action: AUTHENTICATE, errorKind: 'schema' };
  }
  try {
    const outcome = await deps.authenticator.authenticate(headers);
    if (!outcome.ok) {
      return {
        reply: protocolError(echo, outcome.status, 'Authentication failed.'),
        action: AUTHENTICATE,
        errorKind: 'unauthenticated',
      };
    }
    session.authenticated = true;
    session.token = outcome.token;
    return { reply: reply(echo, 200, { message: 'Authentified.' }), action: AUTHENTICATE };
  } catch (err) {
    return { ...failure(echo, err, `auth-${session.id}`, session.log), action: AUTHENTICATE };
  }
}

/** The action name as Zaqar's message shows it ("None" when missing), cut short. */
function describeAction(name: unknown): string {
  if (name === undefined || name === null) return 'None';
  const text = typeof name === 'string' ? name : JSON.stringify(name);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
