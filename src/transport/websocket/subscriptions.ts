// The seam for subscriptions over websocket: what the transport needs from their operations, and each session's own.

import type { RequestContext } from '../../api/context';
import { QgateError } from '../../core/errors';
import type { JsonObject, JsonValue } from '../../core/types';
import type { Logger } from '../../observability/logger';
import type { FrameEncoding } from './codec';
import type { PushTarget } from './push';

/** A subscription create request, as the body carries it. */
export interface SubscriptionRequest {
  /** Where to deliver (webhook, mailto, …); absent means the requesting websocket session. */
  subscriber?: string;
  ttl?: number;
  options?: JsonObject;
}

/**
 * What the websocket transport needs from the subscription operations. qgate has none yet: the
 * notifications work adds them to src/api and passes them to the server; until then every
 * subscription action answers 501.
 */
export interface WebsocketSubscriptions {
  /** A page of the queue's subscriptions. */
  list(ctx: RequestContext, queue: string, params: { marker?: string; limit?: number }): Promise<JsonValue[]>;
  /**
   * Creates a subscription; resolves its id, or null when an identical one exists (Zaqar: 409).
   * Without `subscriber`, the subscriber is `session`, which receives the queue's messages as pushes.
   */
  create(
    ctx: RequestContext,
    queue: string,
    request: SubscriptionRequest,
    bodyBytes: number,
    session: PushTarget,
  ): Promise<string | null>;
  /** One subscription; NotFound when missing. */
  get(ctx: RequestContext, queue: string, id: string): Promise<JsonValue>;
  /** Deletes a subscription; a missing one is fine. */
  delete(ctx: RequestContext, queue: string, id: string): Promise<void>;
}

/** The 501 every subscription action answers while qgate has no subscription operations. */
export function subscriptionsUnavailable(): QgateError {
  return new QgateError(
    501,
    'Not implemented',
    'Subscriptions are not available in this qgate yet; queues, messages and claims are.',
  );
}

/**
 * The subscriptions whose subscriber is this session. Zaqar deletes them when the session closes,
 * and encodes pushes as the last successful subscription request was encoded.
 */
export class SessionSubscriptions {
  private readonly entries = new Map<string, { ctx: RequestContext; queue: string }>();
  /** Encoding of pushed frames. */
  notifyEncoding: FrameEncoding = 'json';

  /** Records a subscription of the session made by a request in `encoding`. */
  add(id: string, ctx: RequestContext, queue: string, encoding: FrameEncoding): void {
    this.entries.set(id, { ctx, queue });
    this.notifyEncoding = encoding;
  }

  /** Forgets a subscription (it was deleted by request). */
  remove(id: string): void {
    this.entries.delete(id);
  }

  /** How many live subscriptions the session holds. */
  get size(): number {
    return this.entries.size;
  }

  /** Deletes every subscription of the closed session; failures are logged, never thrown. */
  async removeAll(backend: WebsocketSubscriptions | undefined, log: Logger): Promise<void> {
    const entries = [...this.entries];
    this.entries.clear();
    if (!backend) return;
    for (const [id, { ctx, queue }] of entries) {
      try {
        await backend.delete(ctx, queue, id);
      } catch (err) {
        log.warn({ err, subscription: id, queue }, 'could not delete the subscription of a closed websocket session');
      }
    }
  }
}
