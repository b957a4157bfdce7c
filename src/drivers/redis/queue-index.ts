// Queue listings of one project from the queue index (qg:queues): names by ZRANGEBYLEX, metadata when asked.

import type { Redis } from 'ioredis';
import { matchesQueueFilter } from '../../core/queue-filter';
import type { QueueSummary } from '../../core/types';
import type { ListQueuesOptions } from '../types';
import { baseOfMember, keysOfBase, projectRange, QUEUE_INDEX_KEY, queueOfMember } from './keys';
import { toMetadata } from './records';

/** The project's queues after `marker`, filtered; each slice of the index is one or two round trips. */
export async function listIndexedQueues(
  client: Redis,
  project: string,
  options: ListQueuesOptions,
): Promise<QueueSummary[]> {
  const { prefix, end } = projectRange(project);
  const withMeta = options.detailed || options.metadataFilter !== undefined;
  const filtered = options.name !== undefined || options.metadataFilter !== undefined;
  let min = `(${prefix}${options.marker === undefined ? '' : encodeURIComponent(options.marker)}`;
  const out: QueueSummary[] = [];
  while (out.length < options.limit) {
    // Filters may drop names, so read ahead in bigger slices.
    const count = filtered ? Math.max(options.limit, 100) : options.limit - out.length;
    const members = await client.zrangebylex(QUEUE_INDEX_KEY, min, `(${end}`, 'LIMIT', 0, count);
    const metas = withMeta
      ? await Promise.all(members.map((m) => client.hget(keysOfBase(baseOfMember(m)).queue, 'meta')))
      : [];
    for (let i = 0; i < members.length && out.length < options.limit; i++) {
      const name = queueOfMember(members[i], prefix);
      const raw = withMeta ? metas[i] : '{}';
      if (raw === null) continue; // deleted between the two reads
      const metadata = toMetadata(raw);
      if (!matchesQueueFilter(name, metadata, options)) continue;
      out.push(options.detailed ? { name, metadata } : { name });
    }
    if (members.length < count) break;
    min = `(${members[members.length - 1]}`;
  }
  return out;
}

/** How many queues the project has: one ZLEXCOUNT. */
export function countIndexedQueues(client: Redis, project: string): Promise<number> {
  const { prefix, end } = projectRange(project);
  return client.zlexcount(QUEUE_INDEX_KEY, `(${prefix}`, `(${end}`);
}
