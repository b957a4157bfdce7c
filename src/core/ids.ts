// Ids of messages and claims: random UUIDs, unguessable and unique across pools and processes.

import { randomUUID } from 'node:crypto';

/** A new message id. */
export function newMessageId(): string {
  return randomUUID();
}

/** A new claim id. */
export function newClaimId(): string {
  return randomUUID();
}
