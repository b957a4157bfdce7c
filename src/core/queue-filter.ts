// Which queues a listing keeps: the name substring and metadata equality filters every driver applies alike.

import type { JsonValue, QueueMetadata } from './types';

/** The filters of a queue listing. */
export interface QueueFilter {
  /** Only queues whose name contains this text. */
  name?: string;
  /** Only queues whose metadata has each of these key/value pairs. */
  metadataFilter?: Record<string, JsonValue>;
}

/** Whether a queue passes the listing's filters. */
export function matchesQueueFilter(name: string, metadata: QueueMetadata, filter: QueueFilter): boolean {
  if (filter.name && !name.includes(filter.name)) return false;
  if (filter.metadataFilter) {
    for (const [key, value] of Object.entries(filter.metadataFilter)) {
      if (!Object.hasOwn(metadata, key) || !sameJson(metadata[key], value)) return false;
    }
  }
  return true;
}

/** Deep equality of JSON values (filters name scalars, but metadata values may be anything). */
function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
