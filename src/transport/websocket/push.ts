// The seam for pushing to a websocket session: how notification delivery reaches a session that subscribed.

/** A session that receives pushed notifications while it is open. */
export interface PushTarget {
  /** Session id, unique in this process. */
  readonly id: string;
  /** Whether the session is still open. */
  readonly open: boolean;
  /**
   * Sends a notification document as one frame, in the encoding of the session's last subscription
   * request (as Zaqar does). Returns false when the session is closed, or when the frame would push
   * its unread replies past the buffer bound: a slow reader is then dropped, never buffered for.
   */
  push(document: unknown): boolean;
}

/** The open sessions of this process by id: how delivery finds the session a subscription names. */
export interface PushTargets {
  get(id: string): PushTarget | undefined;
  /** Every open session. */
  values(): IterableIterator<PushTarget>;
  /** How many sessions are open. */
  readonly size: number;
}
