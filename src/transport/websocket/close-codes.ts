// The close codes the websocket server ends sessions with, so clients can tell why (RFC 6455 section 7.4).

/** Going away: the server is shutting down, or the session was idle too long. */
export const CLOSE_GOING_AWAY = 1001;
/** Policy violation: the client does not read its replies (backpressure). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** Try again later: this process already serves its maximum number of connections. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Reason sent with CLOSE_GOING_AWAY at shutdown. */
export const REASON_SHUTDOWN = 'Server shutting down';
/** Reason sent with CLOSE_GOING_AWAY after the idle timeout. */
export const REASON_IDLE = 'Idle timeout: no request received';
/** Reason sent with CLOSE_POLICY_VIOLATION when a slow reader lets replies pile up. */
export const REASON_SLOW_READER = 'Too many unread replies: the client does not read fast enough';

/** Reason sent with CLOSE_TRY_AGAIN_LATER (close reasons are at most 123 bytes). */
export function reasonTooManyConnections(max: number): string {
  return `Too many connections: this qgate process serves at most ${max}`;
}
