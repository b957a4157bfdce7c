// A test client for the websocket API: the real `ws` client, requests as Zaqar frames, replies read in order.

import { randomUUID } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import WebSocket, { type ClientOptions } from 'ws';

/** A reply frame as the server sends it. */
export interface Reply {
  request: { action: unknown; body: unknown; headers: unknown; api: string };
  headers: { status: number };
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply bodies of every shape
  body: any;
}

/** A received frame: its decoded document and whether it was binary. */
export interface Frame {
  // biome-ignore lint/suspicious/noExplicitAny: tests read frames of every shape
  document: any;
  binary: boolean;
}

/** How the connection ended. */
export interface Closed {
  code: number;
  reason: string;
}

/** One client connection with valid Zaqar headers for its project. */
export class WsTestClient {
  readonly clientId = randomUUID();
  private readonly frames: Frame[] = [];
  private readonly waiters: ((frame: Frame) => void)[] = [];
  /** Resolves when the connection has closed. */
  readonly closed: Promise<Closed>;

  private constructor(
    readonly ws: WebSocket,
    readonly project: string,
  ) {
    ws.on('message', (data, isBinary) => {
      const raw = data as Buffer;
      const frame = { document: isBinary ? decode(raw) : JSON.parse(raw.toString('utf8')), binary: isBinary };
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Connects; resolves once open. */
  static async connect(url: string, project: string, options: ClientOptions = {}): Promise<WsTestClient> {
    const ws = new WebSocket(url, options);
    const client = new WsTestClient(ws, project);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** The headers every request carries (override per request). */
  headers(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { 'Client-ID': this.clientId, 'X-Project-ID': this.project, ...extra };
  }

  /** Sends a request as JSON text (or MessagePack with binary) without waiting. */
  send(action: string, body?: unknown, options: { headers?: Record<string, unknown>; binary?: boolean } = {}): void {
    const request: Record<string, unknown> = { action, headers: options.headers ?? this.headers() };
    if (body !== undefined) request.body = body;
    this.sendRaw(options.binary ? Buffer.from(encode(request)) : JSON.stringify(request), options.binary);
  }

  /** Sends a frame as it is. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and waits for its reply (the server answers in order). */
  async request(
    action: string,
    body?: unknown,
    options: { headers?: Record<string, unknown>; binary?: boolean } = {},
  ): Promise<Reply> {
    this.send(action, body, options);
    return (await this.next()).document as Reply;
  }

  /** The next frame received. */
  next(): Promise<Frame> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

/** Waits until `check` holds (polling), failing with `what` after a generous bound; not a timing assertion. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 10000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
