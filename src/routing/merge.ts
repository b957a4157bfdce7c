// Merging the queue pages of several pools into one page sorted by name, without duplicates.

import type { QueueSummary } from '../core/types';

/**
 * Merges pages that are each sorted by name and start after the same marker: the first `limit` names
 * of the union are exactly the first `limit` of the whole listing, so one marker pages across pools.
 */
export function mergeQueuePages(pages: QueueSummary[][], limit: number): QueueSummary[] {
  const byName = new Map<string, QueueSummary>();
  for (const page of pages) for (const q of page) if (!byName.has(q.name)) byName.set(q.name, q);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, limit);
}
