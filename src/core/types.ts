// Domain types shared by the api layer, the router and every driver.

/** Any JSON value a tenant may store as a message body or metadata value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Where a queue lives: its project (tenant) and its name. */
export interface QueueScope {
  /** Project (tenant) id from X-Project-ID or the token. */
  project: string;
  /** Queue name, already validated. */
  queue: string;
}

/** Queue metadata as stored: a JSON object whose `_`-prefixed keys are reserved. */
export type QueueMetadata = JsonObject;

/** One queue as a listing returns it. */
export interface QueueSummary {
  name: string;
  /** Present only when the listing asked for details. */
  metadata?: QueueMetadata;
}

/** A message about to be stored: TTL and delay already resolved and validated. */
export interface NewMessage {
  /** Seconds the message lives, counted from when it is stored. */
  ttl: number;
  /** Seconds before the message can be listed (unless include_delayed) or claimed. */
  delay: number;
  body: JsonValue;
}

/** A stored message as drivers return it. Times are epoch milliseconds. */
export interface StoredMessage {
  id: string;
  /** Monotonic per-queue position; the listing marker. */
  marker: number;
  /** TTL in seconds (raised when a claim outlives it). */
  ttl: number;
  /** When it was stored. */
  created: number;
  /** When it expires. */
  expires: number;
  /** Before this it is delayed. */
  visibleAt: number;
  body: JsonValue;
  /** Client-ID of the producer; a listing hides a client's own messages unless echo. */
  clientId: string;
  /** Active claim id, or null when free (an expired claim counts as none). */
  claimId: string | null;
  /** When the active claim expires (0 when free). */
  claimExpires: number;
  /** How many times it has been claimed. */
  claimCount: number;
}

/** Options of a message listing. */
export interface ListMessagesOptions {
  /** Return messages after this marker (exclusive). */
  marker?: number;
  limit: number;
  /** Include the caller's own messages. */
  echo: boolean;
  /** Include claimed messages. */
  includeClaimed: boolean;
  /** Include messages still delayed. */
  includeDelayed: boolean;
  /** The caller's Client-ID (for echo). */
  clientId: string;
}

/** A page of messages and the marker to continue from. */
export interface MessagePage {
  messages: StoredMessage[];
  /** Marker of the last message returned; undefined when the page is empty. */
  nextMarker?: number;
}

/** Claim parameters (seconds). */
export interface ClaimOptions {
  ttl: number;
  grace: number;
  limit: number;
}

/** A claim with its messages. */
export interface ClaimRecord {
  id: string;
  /** Claim TTL in seconds as last set. */
  ttl: number;
  grace: number;
  /** When the claim was created or last renewed (epoch ms). */
  updated: number;
  /** When the claim expires (epoch ms). */
  expires: number;
  messages: StoredMessage[];
}

/** Message counts of a queue, and its oldest and newest messages. */
export interface QueueStats {
  claimed: number;
  free: number;
  total: number;
  oldest?: StoredMessage;
  newest?: StoredMessage;
}

/** Result of a store health probe. */
export interface StoreHealth {
  /** Whether the store answered. */
  reachable: boolean;
  /** Round trip time of the probe in milliseconds. */
  latencyMs: number;
  /** Driver kind: memory, redis, mongodb. */
  kind: string;
}

/** A subscription of a queue: where its posts are pushed. Times are epoch milliseconds. */
export interface SubscriptionRecord {
  id: string;
  /** http(s)://…, mailto:…, or a websocket session's address. */
  subscriber: string;
  /** Seconds it lives, counted from its creation (or its last TTL change). */
  ttl: number;
  created: number;
  expires: number;
  options: JsonObject;
  /** Whether the subscriber confirmed (always true when confirmation is not required). */
  confirmed: boolean;
}

/** A subscription about to be stored. */
export interface NewSubscription {
  subscriber: string;
  ttl: number;
  options: JsonObject;
  confirmed: boolean;
}

/** Changes to a subscription (TTL restarts from now when given). */
export interface SubscriptionPatch {
  subscriber?: string;
  ttl?: number;
  options?: JsonObject;
  confirmed?: boolean;
}

/** One push waiting to be made: a document for one subscriber, recorded before the post is acknowledged. */
export interface PendingDelivery {
  id: string;
  scope: QueueScope;
  subscriptionId: string;
  subscriber: string;
  /** The subscription's options when the delivery was recorded (post_headers, post_data, _retry_policy…). */
  options: JsonObject;
  /** notification: a posted message; confirmation / unsubscribe: the confirmation flow's documents. */
  kind: 'notification' | 'confirmation' | 'unsubscribe';
  /** The JSON document sent (Zaqar's shape: body, ttl, queue_name, Message_Type…). */
  payload: JsonObject;
  /** Failed attempts so far. */
  attempts: number;
  created: number;
  /** When it may next be attempted (a taken delivery is leased by pushing this forward). */
  dueAt: number;
  lastError?: string;
}

/** A delivery that exhausted its retries, kept for the tenant to see. */
export interface FailedDelivery extends PendingDelivery {
  failedAt: number;
}

/** How a delivery attempt ended. */
export type DeliveryOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; dueAt: number; error: string }
  | { kind: 'failed'; error: string };
