// The set of operations both transports call: one instance per process.

import { ClaimOperations } from './claims';
import type { ApiDeps } from './deps';
import { HealthOperations } from './health';
import { MessageOperations } from './messages';
import { QueueOperations } from './queues';

/** Every operation of the v2 data plane. */
export interface Operations {
  queues: QueueOperations;
  messages: MessageOperations;
  claims: ClaimOperations;
  health: HealthOperations;
  /** The limits the operations enforce (transports read body caps from them). */
  deps: ApiDeps;
}

/** Builds the operations over a data driver. */
export function createOperations(deps: ApiDeps): Operations {
  return {
    queues: new QueueOperations(deps),
    messages: new MessageOperations(deps),
    claims: new ClaimOperations(deps),
    health: new HealthOperations(deps),
    deps,
  };
}
