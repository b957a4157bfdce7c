// The DataDriver interface: the one contract every store (memory, Redis, MongoDB) and the Router implement.
//
// Rules every implementation follows (the conformance suite in test/drivers proves them):
// - Scope: every call names a (project, queue); one project never sees another's data.
// - Time: the store is the clock's only reader for expiry; expired messages and claims are
//   invisible to every read at once, and collected later in the background.
// - Atomicity: each method is one atomic step in the store (a Lua script in Redis, one
//   conditional update in MongoDB, one synchronous block in memory). Concurrent claims never
//   return the same message twice.
// - Errors: a missing queue/message/claim raises the core errors built in core/store-errors;
//   an unreachable store raises ServiceUnavailable. Nothing else escapes.

import type {
  ClaimOptions,
  ClaimRecord,
  DeliveryOutcome,
  FailedDelivery,
  NewSubscription,
  PendingDelivery,
  SubscriptionPatch,
  SubscriptionRecord,
  JsonValue,
  ListMessagesOptions,
  MessagePage,
  NewMessage,
  QueueMetadata,
  QueueScope,
  QueueStats,
  QueueSummary,
  StoreHealth,
  StoredMessage,
} from '../core/types';

/** Options of a queue listing. */
export interface ListQueuesOptions {
  /** Return queues whose name sorts after this one. */
  marker?: string;
  limit: number;
  /** Include each queue's metadata. */
  detailed: boolean;
  /** Only queues whose name contains this text. */
  name?: string;
  /** Only queues whose metadata has each of these key/value pairs. */
  metadataFilter?: Record<string, JsonValue>;
}

/** A store of queues, messages and claims for the queues it owns. */
export interface DataDriver {
  /** Driver kind, e.g. "memory", "redis", "mongodb". */
  readonly kind: string;

  /** Create the queue; resolves true if created, false if it already existed (metadata then unchanged). */
  createQueue(scope: QueueScope, metadata: QueueMetadata): Promise<boolean>;
  /** Whether the queue exists. */
  queueExists(scope: QueueScope): Promise<boolean>;
  /** The queue's metadata; NotFound if the queue does not exist. */
  getQueueMetadata(scope: QueueScope): Promise<QueueMetadata>;
  /** Replace the queue's metadata; NotFound if the queue does not exist. */
  setQueueMetadata(scope: QueueScope, metadata: QueueMetadata): Promise<void>;
  /** Delete the queue with its messages and claims; a missing queue is not an error. */
  deleteQueue(scope: QueueScope): Promise<void>;
  /** Queues of a project sorted by name, after `marker`. */
  listQueues(project: string, options: ListQueuesOptions): Promise<QueueSummary[]>;
  /** How many queues the project has. */
  countQueues(project: string): Promise<number>;
  /** Message counts; all zero when the queue does not exist. */
  queueStats(scope: QueueScope): Promise<QueueStats>;

  /**
   * Store a batch in order, creating the queue (empty metadata) if it does not exist.
   * Markers increase within the batch and never repeat in the queue. Returns the ids in order.
   */
  postMessages(scope: QueueScope, messages: NewMessage[], clientId: string): Promise<string[]>;
  /** A page of live messages in marker order, filtered as the options say. Missing queue: empty page. */
  listMessages(scope: QueueScope, options: ListMessagesOptions): Promise<MessagePage>;
  /** One live message; NotFound if missing, expired, or the queue does not exist. */
  getMessage(scope: QueueScope, id: string): Promise<StoredMessage>;
  /** The live messages among `ids`, in the order of `ids`; missing ones are left out. */
  getMessages(scope: QueueScope, ids: string[]): Promise<StoredMessage[]>;
  /**
   * Delete one message. Without claimId a claimed message is refused (Forbidden); with claimId
   * the message must be claimed by exactly that live claim (BadRequest if not claimed, Forbidden
   * if claimed by another). A missing message is not an error.
   */
  deleteMessage(scope: QueueScope, id: string, claimId?: string): Promise<void>;
  /** Delete these messages whether claimed or not; missing ones are ignored. */
  deleteMessages(scope: QueueScope, ids: string[]): Promise<void>;
  /** Remove and return up to `limit` of the oldest free, visible messages. */
  popMessages(scope: QueueScope, limit: number): Promise<StoredMessage[]>;
  /** Delete every message and claim of the queue, keeping the queue. */
  purgeMessages(scope: QueueScope): Promise<void>;

  /**
   * Claim up to `limit` of the oldest free, visible messages; null when none could be claimed.
   * Each claimed message lives at least until the claim expires plus grace. When the queue's
   * metadata sets `_max_claim_count` and `_dead_letter_queue`, a message already claimed that
   * many times moves to the dead-letter queue (same store) instead of being claimed.
   */
  createClaim(scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null>;
  /** A live claim with its live messages; NotFound if missing or expired. */
  getClaim(scope: QueueScope, claimId: string): Promise<ClaimRecord>;
  /** Renew a live claim from now with a new TTL and grace; NotFound if missing or expired. */
  updateClaim(scope: QueueScope, claimId: string, ttl: number, grace: number): Promise<void>;
  /** Release a claim: its messages become free, their TTL unchanged. A missing claim is not an error. */
  deleteClaim(scope: QueueScope, claimId: string): Promise<void>;

  /** Probe the store. Never throws. */
  health(): Promise<StoreHealth>;
  /** Release connections and timers. */
  close(): Promise<void>;
}

/** Options of a subscription listing. */
export interface ListSubscriptionsOptions {
  /** Return subscriptions whose id sorts after this one. */
  marker?: string;
  limit: number;
}

/**
 * Subscriptions and the durable outbox of deliveries, kept in the queue's own store.
 *
 * Durability rule: while a queue has live subscriptions, `postMessages` records one pending delivery
 * per (message, confirmed live subscription) in the same atomic step that stores the messages, so a
 * 201 implies the pushes are recorded. A taken delivery is leased (its dueAt moves forward); if the
 * process taking it dies, it becomes due again after the lease: at-least-once, and one process at a time.
 */
export interface NotificationStore {
  /** Stores a subscription; if a live one has the same subscriber, returns its id with created: false. */
  createSubscription(scope: QueueScope, sub: NewSubscription): Promise<{ id: string; created: boolean }>;
  /** A live subscription; NotFound if missing or expired. */
  getSubscription(scope: QueueScope, id: string): Promise<SubscriptionRecord>;
  /** Live subscriptions sorted by id, after the marker. */
  listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): Promise<SubscriptionRecord[]>;
  /** Changes a live subscription; NotFound if missing, Conflict if the new subscriber is taken. */
  updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): Promise<void>;
  /** Deletes a subscription with its pending and failed deliveries; a missing one is fine. */
  deleteSubscription(scope: QueueScope, id: string): Promise<void>;
  /** Deletes every subscription of the queue (with their deliveries). */
  purgeSubscriptions(scope: QueueScope): Promise<void>;
  /** Records a delivery made outside a post (a confirmation request). */
  enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): Promise<string>;
  /** Leases up to `limit` due deliveries (oldest due first) for `leaseMs`, across every queue of the store. */
  takeDeliveries(limit: number, leaseMs: number): Promise<PendingDelivery[]>;
  /** Settles a taken delivery: removes it, reschedules it, or moves it to the failed list. */
  settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): Promise<void>;
  /** The failed deliveries of a subscription, newest first (at most `limit`). */
  listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): Promise<FailedDelivery[]>;
}

/** Whether a driver keeps subscriptions and deliveries. */
export function supportsNotifications(driver: DataDriver): driver is DataDriver & NotificationStore {
  return typeof (driver as Partial<NotificationStore>).takeDeliveries === 'function';
}
