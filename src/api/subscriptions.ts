// Subscription operations: subscribe, read, list, change, unsubscribe, confirm; and the failed deliveries.

import { BadRequest, Conflict, NotFound, ServiceUnavailable } from '../core/errors';
import { validateConfirmation, validateSubscription } from '../core/subscription-validation';
import type { FailedDelivery, JsonObject, QueueScope, SubscriptionRecord } from '../core/types';
import { type DataDriver, type NotificationStore, supportsNotifications } from '../drivers/types';
import { confirmationPayload } from '../notify/confirmation';
import { authorize, queueScope, type RequestContext } from './context';
import type { ApiDeps } from './deps';
import { ageSeconds } from './wire';

/** How subscriptions behave on this gateway (from the notification config). */
export interface SubscriptionSettings {
  /** Accepted subscriber schemes, e.g. ["http", "https", "mailto"]. */
  subscriberTypes: string[];
  defaultTtl: number;
  maxPerPage: number;
  /** Whether http(s) and mailto subscribers must confirm before notifications flow. */
  requireConfirmation: boolean;
  /** Public base URL of the API for confirmation documents ("" when unknown). */
  publicUrl: string;
  /** Refuses subscriber URLs that point at forbidden addresses (BadRequest). */
  checkSubscriber?: (url: URL) => Promise<void>;
}

/** A subscription as the v2 API shows it. */
export interface WireSubscription {
  id: string;
  subscriber: string;
  source: string;
  ttl: number;
  age: number;
  options: JsonObject;
  confirmed: boolean;
}

/** Subscriber schemes that go through the confirmation flow when it is required. */
const CONFIRMED_KINDS = ['http:', 'https:', 'mailto:'];

export class SubscriptionOperations {
  constructor(private readonly deps: ApiDeps) {}

  /**
   * POST: subscribes (creating the queue if needed). Resolves the id; an existing confirmed subscriber
   * is a 409, an unconfirmed one gets its confirmation again.
   */
  async create(ctx: RequestContext, queue: string, document: unknown): Promise<string> {
    authorize(this.deps, ctx, 'subscription:create');
    const { store, settings } = this.parts();
    const scope = queueScope(ctx, queue);
    const doc = validateSubscription(document, 'create', settings.subscriberTypes);
    const subscriber = doc.subscriber as string;
    await this.checkAddress(subscriber, settings);
    const needsConfirm = this.needsConfirmation(subscriber, settings);
    if (!(await store.queueExists(scope))) await store.createQueue(scope, {});
    const ttl = doc.ttl ?? settings.defaultTtl;
    const { id, created } = await store.createSubscription(scope, {
      subscriber,
      ttl,
      options: doc.options ?? {},
      confirmed: !needsConfirm,
    });
    if (!created) {
      const existing = await store.getSubscription(scope, id);
      if (existing.confirmed || !needsConfirm) {
        throw new Conflict(
          'Such subscription already exists.Subscriptions are unique by project + queue + subscriber URI.',
        );
      }
    }
    if (needsConfirm) await this.sendConfirmation(store, scope, await store.getSubscription(scope, id), false);
    return id;
  }

  /**
   * Subscribes a websocket session (its address is made by the transport, not the tenant): no scheme
   * check, no confirmation. Resolves the id, or null when the session already has one (Zaqar: 409).
   */
  async createForSession(
    ctx: RequestContext,
    queue: string,
    document: unknown,
    sessionAddress: string,
  ): Promise<string | null> {
    authorize(this.deps, ctx, 'subscription:create');
    const { store, settings } = this.parts();
    const scope = queueScope(ctx, queue);
    const doc = validateSubscription(document ?? {}, 'patch-or-empty', settings.subscriberTypes);
    if (!(await store.queueExists(scope))) await store.createQueue(scope, {});
    const { id, created } = await store.createSubscription(scope, {
      subscriber: sessionAddress,
      ttl: doc.ttl ?? settings.defaultTtl,
      options: doc.options ?? {},
      confirmed: true,
    });
    return created ? id : null;
  }

  /** GET one subscription. */
  async get(ctx: RequestContext, queue: string, id: string): Promise<WireSubscription> {
    authorize(this.deps, ctx, 'subscription:get');
    const { store } = this.parts();
    return this.wire(queue, await store.getSubscription(queueScope(ctx, queue), id));
  }

  /** GET the list: a page of the queue's live subscriptions by id. */
  async list(
    ctx: RequestContext,
    queue: string,
    params: { marker?: string; limit?: number },
  ): Promise<{ subscriptions: WireSubscription[]; marker?: string }> {
    authorize(this.deps, ctx, 'subscription:get_all');
    const { store, settings } = this.parts();
    const limit = params.limit ?? Math.min(10, settings.maxPerPage);
    if (!(limit > 0 && limit <= settings.maxPerPage)) {
      throw new BadRequest(`Limit must be at least 1 and may not be greater than ${settings.maxPerPage}.`);
    }
    const page = await store.listSubscriptions(queueScope(ctx, queue), { marker: params.marker, limit });
    return {
      subscriptions: page.map((s) => this.wire(queue, s)),
      marker: page.length > 0 ? page[page.length - 1].id : params.marker,
    };
  }

  /** PATCH: changes subscriber, ttl or options (a new subscriber must confirm again when required). */
  async update(ctx: RequestContext, queue: string, id: string, document: unknown): Promise<void> {
    authorize(this.deps, ctx, 'subscription:update');
    const { store, settings } = this.parts();
    const scope = queueScope(ctx, queue);
    const doc = validateSubscription(document, 'patch', settings.subscriberTypes);
    const current = await store.getSubscription(scope, id);
    const moved = doc.subscriber !== undefined && doc.subscriber !== current.subscriber;
    if (moved) await this.checkAddress(doc.subscriber as string, settings);
    const reconfirm = moved && this.needsConfirmation(doc.subscriber as string, settings);
    await store.updateSubscription(scope, id, { ...doc, ...(reconfirm ? { confirmed: false } : {}) });
    if (reconfirm) await this.sendConfirmation(store, scope, await store.getSubscription(scope, id), false);
  }

  /** DELETE: unsubscribes; a missing subscription is fine. */
  async delete(ctx: RequestContext, queue: string, id: string): Promise<void> {
    authorize(this.deps, ctx, 'subscription:delete');
    const { store } = this.parts();
    await store.deleteSubscription(queueScope(ctx, queue), id);
  }

  /** PUT confirm: the subscriber confirms (true) or unsubscribes (false, which sends the unsubscribe notice). */
  async confirm(ctx: RequestContext, queue: string, id: string, document: unknown): Promise<void> {
    authorize(this.deps, ctx, 'subscription:confirm');
    const { store } = this.parts();
    const scope = queueScope(ctx, queue);
    const confirmed = validateConfirmation(document);
    await store.updateSubscription(scope, id, { confirmed });
    if (!confirmed) await this.sendConfirmation(store, scope, await store.getSubscription(scope, id), true);
  }

  /** GET failures (a qgate extension): deliveries to this subscription that exhausted their retries. */
  async failures(ctx: RequestContext, queue: string, id: string): Promise<FailedDelivery[]> {
    authorize(this.deps, ctx, 'subscription:get');
    const { store } = this.parts();
    const scope = queueScope(ctx, queue);
    await store.getSubscription(scope, id);
    return store.listFailedDeliveries(scope, id, 100);
  }

  private wire(queue: string, s: SubscriptionRecord): WireSubscription {
    return {
      id: s.id,
      subscriber: s.subscriber,
      source: queue,
      ttl: s.ttl,
      age: ageSeconds(this.deps.clock(), s.created),
      options: s.options,
      confirmed: s.confirmed,
    };
  }

  private parts(): { store: DataDriver & NotificationStore; settings: SubscriptionSettings } {
    const driver = this.deps.driver;
    const settings = this.deps.subscriptions;
    if (!settings || !supportsNotifications(driver)) {
      throw new ServiceUnavailable('Subscriptions are not available on this gateway.');
    }
    return { store: driver, settings };
  }

  private needsConfirmation(subscriber: string, settings: SubscriptionSettings): boolean {
    return settings.requireConfirmation && CONFIRMED_KINDS.includes(new URL(subscriber).protocol);
  }

  private async checkAddress(subscriber: string, settings: SubscriptionSettings): Promise<void> {
    const url = new URL(subscriber);
    if (!settings.checkSubscriber || !['http:', 'https:'].includes(url.protocol)) return;
    try {
      await settings.checkSubscriber(url);
    } catch (err) {
      throw new BadRequest(`The subscriber ${url.host} is not allowed: ${(err as Error).message}.`);
    }
  }

  /** Records the confirmation (or unsubscribe) document for delivery, signed with the share key. */
  private async sendConfirmation(
    store: NotificationStore,
    scope: QueueScope,
    sub: SubscriptionRecord,
    unsubscribed: boolean,
  ): Promise<void> {
    const key = this.deps.signedUrlKey;
    if (!key) throw new ServiceUnavailable('Confirmations need signed_url.secret_key, which is not set.');
    if (!sub) throw new NotFound(`Subscription ${scope.queue} does not exist`);
    await store.enqueueDelivery({
      scope,
      subscriptionId: sub.id,
      subscriber: sub.subscriber,
      options: sub.options,
      kind: unsubscribed ? 'unsubscribe' : 'confirmation',
      payload: confirmationPayload({
        key,
        scope,
        subscriptionId: sub.id,
        expires: sub.expires,
        now: this.deps.clock(),
        unsubscribed,
        publicUrl: this.deps.subscriptions?.publicUrl ?? '',
      }),
    });
  }
}
