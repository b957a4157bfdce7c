// The set of operations both transports call: one instance per process.

import { ClaimOperations } from './claims';
import { shippedPolicy } from '../auth/policy-file';
import type { ApiDeps } from './deps';
import { FlavorOperations } from './flavors';
import { HealthOperations } from './health';
import { MessageOperations } from './messages';
import { PoolOperations } from './pools';
import { QueueOperations } from './queues';
import { SubscriptionOperations } from './subscriptions';

/** Every operation of the v2 data plane. */
export interface Operations {
  queues: QueueOperations;
  messages: MessageOperations;
  claims: ClaimOperations;
  health: HealthOperations;
  subscriptions: SubscriptionOperations;
  /** Admin: the pools queues are placed on. */
  pools: PoolOperations;
  /** Admin: named groups of pools. */
  flavors: FlavorOperations;
  /** The limits the operations enforce (transports read body caps from them). */
  deps: ApiDeps;
}

/** Builds the operations over a data driver; without a policy the shipped etc/policy.json applies. */
export function createOperations(input: Omit<ApiDeps, 'policy'> & { policy?: ApiDeps['policy'] }): Operations {
  const deps: ApiDeps = { ...input, policy: input.policy ?? shippedPolicy() };
  return {
    queues: new QueueOperations(deps),
    messages: new MessageOperations(deps),
    claims: new ClaimOperations(deps),
    health: new HealthOperations(deps),
    subscriptions: new SubscriptionOperations(deps),
    pools: new PoolOperations(deps),
    flavors: new FlavorOperations(deps),
    deps,
  };
}
