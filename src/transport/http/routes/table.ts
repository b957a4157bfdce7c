// Registers a path's handlers by method, answering other methods with 405 as Zaqar does; keeps the table of v2 routes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { RequestContext } from '../../../api/context';
import { MethodNotAllowed } from '../../../core/errors';

/**
 * What a v2 route handler may use of a request: node's request (headers, method, the body stream) plus
 * the decoded path parameters and the parsed query. Express's Request has all of it, and so has the
 * request the fast dispatcher (fast-path.ts) hands over without going through express.
 */
export interface RouteRequest extends IncomingMessage {
  params: Record<string, string>;
  query: Record<string, unknown>;
}

/** What a v2 route handler may use of a response: node's response and the request's locals. */
export interface RouteResponse extends ServerResponse {
  locals: Record<string, unknown>;
}

/** A handler of one method on one path. */
export type Handler = (req: RouteRequest, res: RouteResponse) => Promise<void> | void;

/** A handler of an express-only route (one outside /v2/, free to use all of express). */
export type OpenHandler = (req: Request, res: Response) => Promise<void> | void;

type Method = 'get' | 'head' | 'put' | 'post' | 'patch' | 'delete';

/** One registered v2 path: its template, its handlers by method, and the methods a 405 lists. */
export interface RegisteredRoute {
  path: string;
  handlers: Partial<Record<Method, Handler>>;
  allowed: string[];
}

/** The v2 routes of each app, in registration order (the fast dispatcher matches them as express would). */
const tables = new WeakMap<Express, RegisteredRoute[]>();

/** The v2 routes registered on an app so far. */
export function routesOf(app: Express): RegisteredRoute[] {
  return tables.get(app) ?? [];
}

/** Adds the handlers of a path; any other method gets 405 with an Allow header. */
export function route(app: Express, path: string, handlers: Partial<Record<Method, Handler>>): void {
  const allowed = register(app, path, handlers);
  let table = tables.get(app);
  if (!table) {
    table = [];
    tables.set(app, table);
  }
  table.push({ path, handlers, allowed });
}

/** Same as route, for the few paths outside /v2/ that use express's own response helpers. */
export function openRoute(app: Express, path: string, handlers: Partial<Record<Method, OpenHandler>>): void {
  register(app, path, handlers);
}

function register<H extends Handler | OpenHandler>(
  app: Express,
  path: string,
  handlers: Partial<Record<Method, H>>,
): string[] {
  const allowed = Object.keys(handlers).map((m) => m.toUpperCase());
  if (handlers.get && !handlers.head) allowed.push('HEAD');
  for (const [method, handler] of Object.entries(handlers) as [Method, H][]) {
    app[method](path, handler as OpenHandler);
  }
  app.all(path, () => {
    throw new MethodNotAllowed(allowed);
  });
  return allowed;
}

/** The request context the v2 guard stored. */
export function contextOf(res: RouteResponse): RequestContext {
  return res.locals.ctx as RequestContext;
}

/** A path parameter as a string. */
export function param(req: RouteRequest, name: string): string {
  return String(req.params[name]);
}
