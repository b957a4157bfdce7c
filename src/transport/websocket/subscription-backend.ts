// The websocket subscription actions over qgate's subscription operations, and the push sender that
// delivers notifications to this process's sessions.

import type { RequestContext } from '../../api/context';
import type { SubscriptionOperations } from '../../api/subscriptions';
import type { JsonValue, PendingDelivery } from '../../core/types';
import type { DeliveryResult, Sender } from '../../notify/sender';
import type { PushTarget, PushTargets } from './push';
import type { SubscriptionRequest, WebsocketSubscriptions } from './subscriptions';

/** The subscriber address of a session of this process: websocket://<process id>/<session id>. */
export function sessionAddress(processId: string, sessionId: string): string {
  return `websocket://${processId}/${sessionId}`;
}

/** The subscription actions, backed by the same operations as the HTTP API. */
export class OperationSubscriptions implements WebsocketSubscriptions {
  constructor(
    private readonly ops: SubscriptionOperations,
    private readonly processId: string,
  ) {}

  async list(ctx: RequestContext, queue: string, params: { marker?: string; limit?: number }): Promise<JsonValue[]> {
    const page = await this.ops.list(ctx, queue, params);
    return page.subscriptions as unknown as JsonValue[];
  }

  async create(
    ctx: RequestContext,
    queue: string,
    request: SubscriptionRequest,
    _bodyBytes: number,
    session: PushTarget,
  ): Promise<string | null> {
    if (request.subscriber) {
      try {
        return await this.ops.create(ctx, queue, request);
      } catch (err) {
        if ((err as { status?: number }).status === 409) return null;
        throw err;
      }
    }
    const { subscriber: _none, ...rest } = request;
    return this.ops.createForSession(ctx, queue, rest, sessionAddress(this.processId, session.id));
  }

  async get(ctx: RequestContext, queue: string, id: string): Promise<JsonValue> {
    return (await this.ops.get(ctx, queue, id)) as unknown as JsonValue;
  }

  async delete(ctx: RequestContext, queue: string, id: string): Promise<void> {
    await this.ops.delete(ctx, queue, id);
  }
}

/**
 * Delivers to websocket subscribers. A session lives in one process: another process that takes its
 * delivery hands it back for a retry (the owner takes it on a later poll); a closed session fails it.
 */
export class WebsocketPushSender implements Sender {
  readonly schemes = ['websocket:'];
  readonly kind = 'websocket';

  constructor(
    private readonly processId: string,
    private readonly sessions: () => PushTargets | undefined,
  ) {}

  async deliver(delivery: PendingDelivery, url: URL): Promise<DeliveryResult> {
    if (url.host !== this.processId)
      return { outcome: 'retry', error: 'the session is held by another gateway process' };
    const session = this.sessions()?.get(url.pathname.replace(/^\//, ''));
    if (!session?.open) return { outcome: 'failed', error: 'the websocket session is closed' };
    return session.push(delivery.payload)
      ? { outcome: 'delivered' }
      : { outcome: 'failed', error: 'the websocket session could not take the push (closed or too slow)' };
  }
}
