// Decodes the subscription and delivery records of the Redis outbox (field lists, see lib_outbox.lua).

import type { FailedDelivery, JsonObject, PendingDelivery, SubscriptionRecord } from '../../core/types';

/** A record's fields, from a flat `field, value, …` list (HGETALL's shape). */
export function fieldsOf(flat: unknown[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return fields;
}

/** A subscription from its id and fields (u, t, c, e, o, f). */
export function toSubscription(id: string, f: Record<string, string>): SubscriptionRecord {
  return {
    id,
    subscriber: f.u,
    ttl: Number(f.t),
    created: Number(f.c),
    expires: Number(f.e),
    options: JSON.parse(f.o) as JsonObject,
    confirmed: f.f === '1',
  };
}

/** A pending delivery from its id, due time and fields (P, Q, s, u, o, k, y, a, c, r). */
export function toDelivery(id: string, dueAt: number, f: Record<string, string>): PendingDelivery {
  const delivery: PendingDelivery = {
    id,
    scope: { project: f.P, queue: f.Q },
    subscriptionId: f.s,
    subscriber: f.u,
    options: JSON.parse(f.o) as JsonObject,
    kind: f.k as PendingDelivery['kind'],
    payload: JSON.parse(f.y) as JsonObject,
    attempts: Number(f.a),
    created: Number(f.c),
    dueAt,
  };
  if (f.r !== undefined) delivery.lastError = f.r;
  return delivery;
}

/** take_deliveries' reply: `{ id, leased until, fields }` per delivery. */
export function toTakenDeliveries(raw: unknown): PendingDelivery[] {
  return (raw as [string, number, unknown[]][]).map(([id, dueAt, flat]) =>
    toDelivery(String(id), Number(dueAt), fieldsOf(flat)),
  );
}

/** One entry of a failed list: a JSON array of the delivery's fields plus i (id), d (due at), F (failed at). */
export function toFailedDelivery(entry: string): FailedDelivery {
  const f = fieldsOf(JSON.parse(entry) as string[]);
  return { ...toDelivery(f.i, Number(f.d), f), failedAt: Number(f.F) };
}
