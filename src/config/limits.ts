// Maps the configuration's limits section onto the core Limits the api enforces.

import type { Limits } from '../core/limits';
import type { QgateConfig } from './schema';

/** The core limits named by a loaded configuration. */
export function limitsFromConfig(config: QgateConfig): Limits {
  const l = config.limits;
  const d = config.defaults;
  return {
    maxQueuesPerPage: l.max_queues_per_page,
    maxMessagesPerPage: l.max_messages_per_page,
    maxMessagesPerClaimOrPop: l.max_messages_per_claim_or_pop,
    maxQueueMetadata: l.max_queue_metadata,
    maxMessagesPostSize: l.max_messages_post_size,
    minMessageTtl: l.min_message_ttl,
    maxMessageTtl: l.max_message_ttl,
    maxMessageDelay: l.max_message_delay,
    minClaimTtl: l.min_claim_ttl,
    maxClaimTtl: l.max_claim_ttl,
    minClaimGrace: l.min_claim_grace,
    maxClaimGrace: l.max_claim_grace,
    maxPoolsPerPage: l.max_pools_per_page,
    maxFlavorsPerPage: l.max_flavors_per_page,
    defaultMessageTtl: d.message_ttl,
    defaultMessageDelay: d.message_delay,
    defaultClaimTtl: d.claim_ttl,
    defaultClaimGrace: d.claim_grace,
    clientIdUuidSafe: config.client_id.uuid_safe as 'strict' | 'off',
    minClientIdLength: config.client_id.min_length,
    maxClientIdLength: config.client_id.max_length,
  };
}
