// Decodes the Lua scripts' replies into the domain types the DataDriver interface returns.

import type { ClaimRecord, JsonValue, QueueMetadata, StoredMessage } from '../../core/types';

/** A message as lib.lua's reply() returns it. */
type MessageReply = [string, number, number, number, number, number, string, string, string, number, number];

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** One message reply as a StoredMessage. */
export function toMessage(raw: unknown): StoredMessage {
  const r = raw as MessageReply;
  return {
    id: String(r[0]),
    marker: num(r[1]),
    ttl: num(r[2]),
    created: num(r[3]),
    expires: num(r[4]),
    visibleAt: num(r[5]),
    body: JSON.parse(String(r[6])) as JsonValue,
    clientId: String(r[7]),
    claimId: r[8] === '' ? null : String(r[8]),
    claimExpires: num(r[9]),
    claimCount: num(r[10]),
  };
}

/** A list of message replies. */
export function toMessages(raw: unknown): StoredMessage[] {
  return (raw as unknown[]).map(toMessage);
}

/** get_claim's reply ({} when missing or expired) as a ClaimRecord, or undefined. */
export function toClaim(id: string, raw: unknown): ClaimRecord | undefined {
  const r = raw as unknown[];
  if (r.length === 0) return undefined;
  return {
    id,
    ttl: num(r[0]),
    grace: num(r[1]),
    updated: num(r[2]),
    expires: num(r[3]),
    messages: toMessages(r[4]),
  };
}

/** Stored metadata JSON as an object. */
export function toMetadata(raw: string): QueueMetadata {
  return JSON.parse(raw) as QueueMetadata;
}
