// The websocket server: Zaqar's persistent-connection API on its own port; connection limit, keepalive, graceful stop.

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Operations } from '../../api/operations';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { noauthAuthenticator, type WebsocketAuthenticator } from './auth';
import { CLOSE_TRY_AGAIN_LATER, reasonTooManyConnections } from './close-codes';
import { type DispatchDeps, dispatchRequest } from './dispatch';
import type { WebsocketSettings } from './options';
import type { PushTargets } from './push';
import { WebsocketSession } from './session';
import type { WebsocketSubscriptions } from './subscriptions';

/** What the websocket transport needs. */
export interface WebsocketServerOptions {
  operations: Operations;
  settings: WebsocketSettings;
  logger: Logger;
  metrics: Metrics;
  /** Whether noauth callers are admins (config admin_mode). */
  adminMode: boolean;
  /** Log one line per request (config log.access). */
  accessLog: boolean;
  /** How sessions authenticate; noauth by default. */
  authenticator?: WebsocketAuthenticator;
  /** The subscription operations, once qgate has them; without them subscription actions answer 501. */
  subscriptions?: WebsocketSubscriptions;
}

/** A listening websocket server. */
export interface WebsocketServer {
  /** Where it listens, e.g. ws://127.0.0.1:9000 */
  url: string;
  port: number;
  /** The open sessions, for pushing notifications to them. */
  sessions: PushTargets;
  /** Stops accepting, closes every session (1001) and resolves once all are gone. */
  close(): Promise<void>;
}

/** How long sessions get to finish the closing handshake at shutdown before their sockets are destroyed. */
const CLOSE_GRACE_MS = 2000;

/** Starts the websocket server; rejects when it cannot listen. */
export async function startWebsocketServer(options: WebsocketServerOptions): Promise<WebsocketServer> {
  const { settings, logger, metrics } = options;
  const sessions = new Map<string, WebsocketSession>();
  const sockets = new Set<WebSocket>();
  let closing = false;
  const dispatchDeps: DispatchDeps = {
    ops: options.operations,
    authenticator: options.authenticator ?? noauthAuthenticator,
    subscriptions: options.subscriptions,
    adminMode: options.adminMode,
  };
  let allClosed: (() => void) | undefined;

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'application/json; charset=UTF-8', Upgrade: 'websocket' });
    res.end(
      JSON.stringify({
        title: 'Upgrade required',
        description: 'This port serves the Zaqar websocket API; connect with a websocket client.',
      }),
    );
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });

  const accept = (ws: WebSocket, req: IncomingMessage) => {
    sockets.add(ws);
    ws.once('close', () => {
      sockets.delete(ws);
      if (sockets.size === 0) allClosed?.();
    });
    if (sessions.size >= settings.maxConnections) {
      metrics.wsErrors.inc({ kind: 'refused' });
      logger.debug({ max: settings.maxConnections }, 'websocket connection refused: too many connections');
      ws.on('error', () => {});
      ws.close(CLOSE_TRY_AGAIN_LATER, reasonTooManyConnections(settings.maxConnections));
      return;
    }
    const session = new WebsocketSession(
      ws,
      {
        settings,
        dispatch: (s, payload, encoding) => dispatchRequest(dispatchDeps, s, payload, encoding),
        metrics,
        logger,
        accessLog: options.accessLog,
        onClose: (s) => {
          sessions.delete(s.id);
          metrics.wsConnections.dec();
          void s.subscriptions.removeAll(options.subscriptions, s.log);
        },
      },
      `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    );
    sessions.set(session.id, session);
    metrics.wsConnections.inc();
  };

  http.on('upgrade', (req, socket, head) => {
    if (closing) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err) => {
      reject(
        new Error(
          `the websocket API could not listen on ${settings.host}:${settings.port}: ${err.message} ` +
            '(set websocket.port, QGATE_WS_PORT, to another port, or 0 to disable it)',
        ),
      );
    });
    http.listen(settings.port, settings.host, () => resolve());
  });
  const { address, port } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  const heartbeat =
    settings.pingIntervalMs > 0
      ? setInterval(() => {
          for (const session of sessions.values()) session.heartbeat();
        }, settings.pingIntervalMs)
      : undefined;
  heartbeat?.unref();

  return {
    url: `ws://${host}:${port}`,
    port,
    sessions,
    close: async () => {
      closing = true;
      if (heartbeat) clearInterval(heartbeat);
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const gone = new Promise<void>((resolve) => {
        allClosed = resolve;
        if (sockets.size === 0) resolve();
      });
      for (const session of sessions.values()) session.close();
      const force = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
      }, CLOSE_GRACE_MS);
      force.unref();
      await gone;
      clearTimeout(force);
      await stopped;
      wss.close();
    },
  };
}
