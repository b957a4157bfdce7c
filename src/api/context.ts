// The request context every operation receives from its transport.

import type { QueueScope } from '../core/types';
import { validateQueueName } from '../core/validation';
import type { Logger } from '../observability/logger';
import type { ApiDeps } from './deps';

/** Who is calling, for which project, under which request id. */
export interface RequestContext {
  /** Project (tenant) the request acts on. */
  projectId: string;
  /** The caller's Client-ID. */
  clientId: string;
  /** Request id echoed as X-OpenStack-Request-Id. */
  requestId: string;
  /** Roles of the caller (from the token; empty under noauth). */
  roles: string[];
  /** Whether the caller may use admin operations. */
  isAdmin: boolean;
  /** Logger carrying the request id. */
  log: Logger;
}

/** The (project, queue) a request acts on, with the queue name validated. */
export function queueScope(ctx: RequestContext, queue: string): QueueScope {
  return { project: ctx.projectId, queue: validateQueueName(queue) };
}

/** Enforces the policy rule of an operation for the caller (403 when it does not allow it). */
export function authorize(deps: ApiDeps, ctx: RequestContext, operation: string): void {
  deps.policy.enforce(
    operation,
    { roles: ctx.roles, project_id: ctx.projectId, is_admin: ctx.isAdmin },
    { project_id: ctx.projectId },
  );
}
