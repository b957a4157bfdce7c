// Every action of Zaqar's v2 websocket API, by name (authenticate is the session's, see dispatch).

import { claimActions } from './claims';
import { messageActions } from './messages';
import { queueActions } from './queues';
import { subscriptionActions } from './subscriptions';
import type { WebsocketAction } from './types';

/** The actions by name; a Map, so that names such as "constructor" are not found on a prototype. */
export const websocketActions: ReadonlyMap<string, WebsocketAction> = new Map(
  Object.entries({ ...queueActions, ...messageActions, ...claimActions, ...subscriptionActions }),
);
