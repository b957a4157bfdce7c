// What one action of the websocket API is: Zaqar's request schema for it and the operation call it makes.

import type { RequestContext } from '../../../api/context';
import type { Operations } from '../../../api/operations';
import type { JsonObject } from '../../../core/types';
import type { FrameEncoding } from '../codec';
import type { PushTarget } from '../push';
import type { SessionSubscriptions, WebsocketSubscriptions } from '../subscriptions';

/** A body field type of Zaqar's request schemas; `strings` is an array of strings. */
export type FieldType = 'string' | 'integer' | 'boolean' | 'array' | 'strings' | 'object';

/** The session a request came in on, as actions see it (it can be pushed to while it is open). */
export interface ActionSession extends PushTarget {
  /** The session's own subscriptions (subscriber = the session), for pushes and clean-up at close. */
  readonly subscriptions: SessionSubscriptions;
}

/** Everything an action runs with. */
export interface ActionInput {
  ops: Operations;
  ctx: RequestContext;
  /** The request body, checked against the action's fields. */
  body: JsonObject;
  /** Encoding of the frame being answered. */
  encoding: FrameEncoding;
  session: ActionSession;
  /** The subscriptions operations, when this deployment has them. */
  subscriptions?: WebsocketSubscriptions;
}

/** The status and body of a reply. */
export interface ActionResult {
  status: number;
  body: unknown;
}

/** One action: how its request is checked and what it calls. */
export interface WebsocketAction {
  /** Whether the request must carry a body (every action but queue_list). */
  bodyRequired: boolean;
  /** Types of the body fields Zaqar's schema names; other fields pass through unchecked. */
  fields: Readonly<Record<string, FieldType>>;
  /** Body fields that must be present. */
  required: readonly string[];
  run(input: ActionInput): Promise<ActionResult>;
}

/** Declares an action whose request carries a body. */
export function action(
  fields: Record<string, FieldType>,
  required: string[],
  run: (input: ActionInput) => Promise<ActionResult>,
): WebsocketAction {
  return { bodyRequired: true, fields, required, run };
}

/** A body field known to be of the type the schema checked, or undefined when absent. */
export function field<T>(body: JsonObject, name: string): T | undefined {
  return Object.hasOwn(body, name) ? (body[name] as T) : undefined;
}

/** The queue_name every action but queue_list requires (already checked to be a string). */
export function queueName(body: JsonObject): string {
  return body.queue_name as string;
}

/** Size in bytes of a document as compact JSON: what the operations' size limits are measured on. */
export function jsonBytes(document: unknown): number {
  return document === undefined ? 0 : Buffer.byteLength(JSON.stringify(document));
}
