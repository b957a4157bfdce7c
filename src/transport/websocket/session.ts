// One websocket connection: requests answered in order, idle timeout, keepalive, backpressure and pushes.

import { randomUUID } from 'node:crypto';
import { type RawData, WebSocket } from 'ws';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { decodeFrame, encodeFrame, type FrameEncoding, frameBytes } from './codec';
import {
  CLOSE_GOING_AWAY,
  CLOSE_POLICY_VIOLATION,
  REASON_IDLE,
  REASON_SHUTDOWN,
  REASON_SLOW_READER,
} from './close-codes';
import { type DispatchOutcome, type DispatchSession, undecodableFrame } from './dispatch';
import { internalErrorReply, requestEcho } from './envelope';
import type { WebsocketSettings } from './options';
import { SessionSubscriptions } from './subscriptions';

/** What a session needs from its server. */
export interface SessionDeps {
  settings: Pick<WebsocketSettings, 'idleTimeoutMs' | 'maxBufferedBytes' | 'maxPendingRequests'>;
  /** Answers one decoded request. */
  dispatch(session: WebsocketSession, payload: unknown, encoding: FrameEncoding): Promise<DispatchOutcome>;
  metrics: Metrics;
  logger: Logger;
  /** Log one line per request. */
  accessLog: boolean;
  /** Called once when the connection has closed. */
  onClose(session: WebsocketSession): void;
}

interface PendingFrame {
  data: Buffer;
  encoding: FrameEncoding;
}

/** How long a session dropped for not reading may take to close before its socket is destroyed. */
const DROP_GRACE_MS = 1000;

/**
 * A client session. Requests run one at a time in arrival order, as Zaqar runs them. Reading stops
 * while `maxPendingRequests` wait or while unread replies exceed `maxBufferedBytes`; a push that
 * would exceed that bound drops the session instead, so a slow reader costs bounded memory.
 */
export class WebsocketSession implements DispatchSession {
  readonly id = randomUUID();
  readonly log: Logger;
  readonly subscriptions = new SessionSubscriptions();
  authenticated = false;
  token?: string;
  private readonly pending: PendingFrame[] = [];
  private running = false;
  private closed = false;
  /** A pong (or any frame) came since the last ping. */
  private alive = true;
  private idleTimer?: NodeJS.Timeout;
  /** Resolvers of the wait for unread replies to drain. */
  private drainWaiters: (() => void)[] = [];
  /** Heartbeats seen while waiting for the drain. */
  private drainStrikes = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
    peer: string,
  ) {
    this.log = deps.logger.child({ wsSession: this.id });
    this.log.debug({ peer }, 'websocket session open');
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the connection itself after a protocol error (1009 for a frame over maxPayload).
      const kind = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'protocol';
      deps.metrics.wsErrors.inc({ kind });
      this.log.info({ code: err.code, reason: err.message }, 'websocket protocol error');
    });
    ws.on('close', (code, reason) => this.closedBy(code, reason.toString()));
    const idle = deps.settings.idleTimeoutMs;
    if (idle > 0) {
      this.idleTimer = setTimeout(() => this.idleExpired(), idle);
      this.idleTimer.unref();
    }
  }

  /** Whether the connection is open. */
  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a notification frame; drops the session instead of buffering past the bound. */
  push(document: unknown): boolean {
    if (!this.open) return false;
    const frame = encodeFrame(document, this.subscriptions.notifyEncoding);
    if (this.ws.bufferedAmount + frameBytes(frame) > this.deps.settings.maxBufferedBytes) {
      this.drop();
      return false;
    }
    this.send(frame, this.subscriptions.notifyEncoding);
    this.deps.metrics.wsFramesOut.inc({ action: 'push', status: 'none' });
    return true;
  }

  /** Keepalive, once per ping interval: drops a peer that missed the last ping, or a reader stuck a whole interval. */
  heartbeat(): void {
    if (!this.open) return;
    if (this.drainWaiters.length > 0) {
      if (this.drainStrikes++ >= 1) this.drop();
      return;
    }
    // While reading is paused (requests queued) a pong cannot be read; judge the peer after it resumes.
    if (this.ws.isPaused) return;
    if (!this.alive) {
      this.deps.metrics.wsErrors.inc({ kind: 'ping_timeout' });
      this.log.info('websocket peer did not answer a ping; dropping it');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Closes the session with a code and reason (shutdown by default). */
  close(code = CLOSE_GOING_AWAY, reason = REASON_SHUTDOWN): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
    }
  }

  /** Destroys the socket at once. */
  terminate(): void {
    this.ws.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.alive = true;
    this.idleTimer?.refresh();
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.pending.push({ data: buffer, encoding: isBinary ? 'msgpack' : 'json' });
    this.updateReading();
    if (!this.running) void this.processPending();
  }

  /** Answers the queued requests one at a time; waits for unread replies to drain between them. */
  private async processPending(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.pending.length > 0) {
        const frame = this.pending.shift() as PendingFrame;
        this.updateReading();
        await this.answer(frame);
        await this.writable();
      }
    } finally {
      this.running = false;
    }
  }

  private async answer(frame: PendingFrame): Promise<void> {
    const started = process.hrtime.bigint();
    const { metrics } = this.deps;
    const decoded = decodeFrame(frame.data, frame.encoding);
    let outcome: DispatchOutcome;
    try {
      outcome = decoded.ok
        ? await this.deps.dispatch(this, decoded.payload, frame.encoding)
        : undecodableFrame(decoded.error);
    } catch (err) {
      // dispatch never throws; this guards the session loop all the same.
      this.log.error({ err }, 'websocket dispatch failed');
      outcome = { reply: internalErrorReply(requestEcho(), this.id), action: 'invalid', errorKind: 'internal' };
    }
    const status = outcome.reply.headers.status;
    metrics.wsFramesIn.inc({ action: outcome.action, encoding: frame.encoding });
    if (outcome.errorKind) metrics.wsErrors.inc({ kind: outcome.errorKind });
    if (this.deps.accessLog) {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      this.log.info({ action: outcome.action, status, encoding: frame.encoding, ms }, 'websocket request');
    }
    // A client that left mid-request gets no reply; the operation has completed all the same.
    if (!this.open) return;
    this.send(encodeFrame(outcome.reply, frame.encoding), frame.encoding);
    metrics.wsFramesOut.inc({ action: outcome.action, status: String(status) });
  }

  private send(frame: Buffer | string, encoding: FrameEncoding): void {
    this.ws.send(frame, { binary: encoding === 'msgpack' }, () => this.written());
  }

  /** A send completed (or failed): wake the request loop once the unread replies are back under the bound. */
  private written(): void {
    if (this.drainWaiters.length > 0 && this.ws.bufferedAmount <= this.deps.settings.maxBufferedBytes) {
      this.releaseDrainWaiters();
    }
  }

  /** Resolves once unread replies are within the bound (or the session closed); reading stops meanwhile. */
  private async writable(): Promise<void> {
    if (this.closed || this.ws.bufferedAmount <= this.deps.settings.maxBufferedBytes) return;
    this.drainStrikes = 0;
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.updateReading();
    await drained;
    this.updateReading();
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Reads from the socket only while there is room for more requests and the client keeps up. */
  private updateReading(): void {
    if (this.closed) return;
    const full = this.pending.length >= this.deps.settings.maxPendingRequests || this.drainWaiters.length > 0;
    if (full && !this.ws.isPaused) this.ws.pause();
    else if (!full && this.ws.isPaused) {
      this.alive = true;
      this.ws.resume();
    }
  }

  private idleExpired(): void {
    if (this.closed) return;
    // A client that stopped reading its replies for the whole period is dropped.
    if (this.drainWaiters.length > 0) {
      this.drop();
      return;
    }
    // A session waiting for pushes is not idle; neither is one with a request in progress.
    if (this.subscriptions.size > 0 || this.running) {
      this.idleTimer?.refresh();
      return;
    }
    this.deps.metrics.wsErrors.inc({ kind: 'idle_timeout' });
    this.log.info('websocket session idle; closing it');
    this.close(CLOSE_GOING_AWAY, REASON_IDLE);
  }

  /** Ends a session whose client does not read: a close frame, then the socket is destroyed. */
  private drop(): void {
    if (this.closed) return;
    this.deps.metrics.wsErrors.inc({ kind: 'backpressure' });
    this.log.warn({ bufferedBytes: this.ws.bufferedAmount }, 'websocket client does not read its replies; dropping it');
    this.close(CLOSE_POLICY_VIOLATION, REASON_SLOW_READER);
    setTimeout(() => this.ws.terminate(), DROP_GRACE_MS).unref();
  }

  private closedBy(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.pending.length = 0;
    this.releaseDrainWaiters();
    this.log.debug({ code, reason }, 'websocket session closed');
    this.deps.onClose(this);
  }
}
