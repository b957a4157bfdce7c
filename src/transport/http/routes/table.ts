// Registers a path's handlers by method, answering other methods with 405 as Zaqar does.

import type { Express, Request, Response } from 'express';
import type { RequestContext } from '../../../api/context';
import { MethodNotAllowed } from '../../../core/errors';

/** A handler of one method on one path. */
export type Handler = (req: Request, res: Response) => Promise<void> | void;

type Method = 'get' | 'head' | 'put' | 'post' | 'patch' | 'delete';

/** Adds the handlers of a path; any other method gets 405 with an Allow header. */
export function route(app: Express, path: string, handlers: Partial<Record<Method, Handler>>): void {
  const allowed = Object.keys(handlers).map((m) => m.toUpperCase());
  if (handlers.get && !handlers.head) allowed.push('HEAD');
  for (const [method, handler] of Object.entries(handlers) as [Method, Handler][]) {
    app[method](path, handler);
  }
  app.all(path, () => {
    throw new MethodNotAllowed(allowed);
  });
}

/** The request context the v2 guard stored. */
export function contextOf(res: Response): RequestContext {
  return res.locals.ctx as RequestContext;
}

/** A path parameter as a string. */
export function param(req: Request, name: string): string {
  return String(req.params[name]);
}
