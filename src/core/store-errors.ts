// The errors a store raises for missing things, worded as Zaqar words them, shared by every driver.

import { BadRequest, Conflict, Forbidden, NotFound } from './errors';
import type { QueueScope } from './types';

/** The queue does not exist in this project. */
export function queueNotFound(scope: QueueScope): NotFound {
  return new NotFound(`Queue ${scope.queue} does not exist for project ${scope.project}`);
}

/** The message does not exist (or expired). */
export function messageNotFound(scope: QueueScope, id: string): NotFound {
  return new NotFound(`Message ${id} does not exist in queue ${scope.queue} for project ${scope.project}`);
}

/** The claim does not exist (or expired). */
export function claimNotFound(scope: QueueScope, id: string): NotFound {
  return new NotFound(`Claim ${id} does not exist in queue ${scope.queue} for project ${scope.project}`);
}

/** A delete named a claim but the message is free. */
export function messageNotClaimed(): BadRequest {
  return new BadRequest('A claim was specified, but the message is not currently claimed.', 'Unable to delete');
}

/** A delete without the claim that holds the message. */
export function messageClaimedByOther(): Forbidden {
  return new Forbidden('This message is claimed; it cannot be deleted without a valid claim ID.', 'Unable to delete');
}

/** The subscription does not exist (or expired). */
export function subscriptionNotFound(id: string): NotFound {
  return new NotFound(`Subscription ${id} does not exist`);
}

/** Another live subscription of the queue has this subscriber, worded as Zaqar's. */
export function subscriptionExists(): Conflict {
  return new Conflict('Such subscription already exists.Subscriptions are unique by project + queue + subscriber URI.');
}
