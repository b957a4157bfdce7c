// Shapes of messages and claims on the wire (HTTP and websocket share them).

import { messageHref } from '../core/hrefs';
import type { JsonValue, StoredMessage } from '../core/types';

/** A message as Zaqar v2 returns it. */
export interface WireMessage {
  id: string;
  href: string;
  ttl: number;
  age: number;
  body: JsonValue;
}

/** Whole seconds between two epoch-ms instants, never negative. */
export function ageSeconds(now: number, since: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

/** Formats a stored message; its href names its claim while claimed. */
export function wireMessage(queue: string, message: StoredMessage, now: number): WireMessage {
  return {
    id: message.id,
    href: messageHref(queue, message.id, message.claimId),
    ttl: message.ttl,
    age: ageSeconds(now, message.created),
    body: message.body,
  };
}

/** The ISO-8601 second-precision timestamp Zaqar uses for `created` in stats. */
export function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
