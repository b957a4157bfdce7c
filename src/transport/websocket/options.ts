// The websocket transport's settings, and how they come from the loaded configuration.

import type { QgateConfig } from '../../config/schema';

/** Limits and addresses of the websocket server (see the `websocket` section of the configuration). */
export interface WebsocketSettings {
  /** Address to listen on. */
  host: string;
  /** Port to listen on; 0 picks a free port (the configuration uses 0 to mean "disabled" before this). */
  port: number;
  /** Largest frame a client may send; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Close a session that sent no request for this long; 0 never does. */
  idleTimeoutMs: number;
  /** Ping period; a client that missed the previous ping is dropped. 0 disables keepalive. */
  pingIntervalMs: number;
  /** Most open sessions; one more is closed with 1013. */
  maxConnections: number;
  /** Most bytes of replies waiting for a slow reader before the session stops reading (or a push drops it). */
  maxBufferedBytes: number;
  /** Most requests queued per session before it stops reading. */
  maxPendingRequests: number;
}

/** The websocket settings of a configuration, or undefined when `websocket.port` is 0 (disabled). */
export function websocketSettingsFromConfig(config: QgateConfig): WebsocketSettings | undefined {
  const ws = config.websocket;
  if (ws.port === 0) return undefined;
  return {
    host: ws.host === '' ? config.host : ws.host,
    port: ws.port,
    maxFrameBytes: ws.max_frame_bytes,
    idleTimeoutMs: ws.idle_timeout_ms,
    pingIntervalMs: ws.ping_interval_ms,
    maxConnections: ws.max_connections,
    maxBufferedBytes: ws.max_buffered_bytes,
    maxPendingRequests: ws.max_pending_requests,
  };
}
