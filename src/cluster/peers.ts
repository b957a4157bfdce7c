// The metadata-cache invalidations between the workers of one gateway, relayed by the cluster primary over IPC.
//
// A worker that changes a queue asks the primary to tell every other worker to forget it, and waits for
// their answers (or RELAY_TIMEOUT_MS) before the change is acknowledged to the client: a client that saw
// the change acknowledged then finds it applied whichever worker serves its next post.

import type { MetadataPeers } from '../api/metadata-cache';

/** Longest a worker waits for its siblings to forget an entry; past it the entry's TTL still bounds staleness. */
export const RELAY_TIMEOUT_MS = 1000;

/** Worker → primary: forget this key everywhere else. */
export interface InvalidateMessage {
  qgate: 'invalidate';
  key: string;
  seq: number;
}

/** Primary → worker: forget this key (sibling's change), then answer with `forgot`. */
export interface ForgetMessage {
  qgate: 'forget';
  key: string;
  relay: number;
}

/** Worker → primary: forgotten. */
export interface ForgotMessage {
  qgate: 'forgot';
  relay: number;
}

/** Primary → worker: every sibling has forgotten (or the primary stopped waiting). */
export interface InvalidatedMessage {
  qgate: 'invalidated';
  seq: number;
}

/** Every message of the protocol. */
export type PeerMessage = InvalidateMessage | ForgetMessage | ForgotMessage | InvalidatedMessage;

/** Whether an IPC message is one of ours (cluster's own messages share the channel). */
export function isPeerMessage(message: unknown): message is PeerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { qgate?: unknown }).qgate === 'string';
}

/** The IPC end of a worker process (process itself in a cluster worker). */
export interface WorkerChannel {
  send?(message: PeerMessage): boolean;
  connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A worker's peers: sends its invalidations to the primary and applies its siblings' ones. */
export class ClusterMetadataPeers implements MetadataPeers {
  private seq = 0;
  private readonly waiting = new Map<number, () => void>();
  private forget: (key: string) => void = () => {};
  private readonly onMessage = (message: unknown) => this.receive(message);

  constructor(
    private readonly channel: WorkerChannel,
    private readonly timeoutMs = RELAY_TIMEOUT_MS,
  ) {
    channel.on('message', this.onMessage);
  }

  /** Resolves once every sibling forgot the key, or after the timeout; never rejects. */
  invalidate(key: string): Promise<void> {
    const seq = ++this.seq;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.timeoutMs);
      timer.unref();
      const waiting = this.waiting;
      function done() {
        clearTimeout(timer);
        waiting.delete(seq);
        resolve();
      }
      this.waiting.set(seq, done);
      // send() returning false only means the message is queued behind others; it still goes.
      if (!this.channel.connected || !this.channel.send) {
        done();
        return;
      }
      try {
        this.channel.send({ qgate: 'invalidate', key, seq });
      } catch {
        done();
      }
    });
  }

  subscribe(forget: (key: string) => void): void {
    this.forget = forget;
  }

  /** Stops listening (the worker is stopping). */
  close(): void {
    this.channel.off('message', this.onMessage);
    for (const done of [...this.waiting.values()]) done();
  }

  private receive(message: unknown): void {
    if (!isPeerMessage(message)) return;
    if (message.qgate === 'forget') {
      this.forget(message.key);
      try {
        if (this.channel.connected) this.channel.send?.({ qgate: 'forgot', relay: message.relay });
      } catch {
        // the primary is gone; nothing waits for the answer
      }
    } else if (message.qgate === 'invalidated') {
      this.waiting.get(message.seq)?.();
    }
  }
}
