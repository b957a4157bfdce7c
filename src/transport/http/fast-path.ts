// The fast dispatcher: serves the /v2 routes without express, running the same middleware and handlers in the same order.
//
// Why: express swaps the prototypes of node's request and response on every request (app.handle), which
// costs more than all of a small post's own work on node 20, and then walks its layer list. Profiled on the
// bench machine: a bare node server answered a post in ~25 µs of CPU, the same answer through express took
// ~170 µs. This dispatcher matches a path against the routes registered with route() (table.ts) the way
// express's router does (static segments case-insensitive, one optional trailing slash, parameters decoded
// with decodeURIComponent), then runs requestContext → cors → the v2 checks → the handler → errorHandler,
// exactly the chain express would run for that path. Whatever it does not recognise goes to express untouched:
// paths outside /v2/, unknown paths (404), a parameter that does not decode, an Accept header that needs
// content negotiation.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { ContextRequest } from './middleware/request-context';
import type { Handler, RegisteredRoute, RouteRequest, RouteResponse } from './routes/table';
import { MethodNotAllowed } from '../../core/errors';
import { plainlyAcceptsJson } from './middleware/v2-headers';

/** The chain express runs in front of a v2 route, as plain functions. */
export interface FastChain {
  requestContext: (req: ContextRequest, res: RouteResponse, next: () => void) => void;
  cors?: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  v2Checks: (req: FastRequest, res: RouteResponse, acceptsJson: () => boolean) => Promise<void>;
  errorHandler: (err: unknown, req: FastRequest, res: RouteResponse) => void;
}

/** A request on the fast path: node's, with what express would have added for the route handlers. */
export interface FastRequest extends RouteRequest, ContextRequest {}

/** One compiled route: its path segments (literal, lower-cased, or a parameter name). */
interface CompiledRoute {
  route: RegisteredRoute;
  segments: Array<{ literal: string } | { param: string }>;
}

/** Compiles the v2 routes; a path using more than `:name` segments stays with express. */
function compile(routes: RegisteredRoute[], prefix: string): CompiledRoute[] {
  const compiled: CompiledRoute[] = [];
  for (const route of routes) {
    if (!route.path.startsWith(prefix)) continue;
    const parts = route.path.split('/').slice(1);
    if (!parts.every((p) => /^(:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9_.-]+)$/.test(p))) continue;
    compiled.push({
      route,
      segments: parts.map((p) => (p.startsWith(':') ? { param: p.slice(1) } : { literal: p.toLowerCase() })),
    });
  }
  return compiled;
}

/** ASCII-only case-insensitive equality with an already lower-cased literal (no Unicode folding surprises). */
function sameLiteral(segment: string, literal: string): boolean {
  if (segment.length !== literal.length) return false;
  for (let i = 0; i < segment.length; i++) {
    let c = segment.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== literal.charCodeAt(i)) return false;
  }
  return true;
}

/** Decoded parameters of the first route whose pattern matches, or undefined (express then decides). */
function match(
  compiled: CompiledRoute[],
  pathname: string,
): { route: RegisteredRoute; params: Record<string, string> } | undefined {
  let parts = pathname.split('/');
  // parts[0] is the empty string before the leading '/'; one trailing '/' is allowed (express: strict off).
  if (parts.length > 2 && parts[parts.length - 1] === '') parts = parts.slice(0, -1);
  for (const { route, segments } of compiled) {
    if (segments.length !== parts.length - 1) continue;
    let params: Record<string, string> | undefined = {};
    for (let i = 0; i < segments.length && params; i++) {
      const segment = parts[i + 1];
      const want = segments[i];
      if ('literal' in want) {
        if (!sameLiteral(segment, want.literal)) params = undefined;
      } else if (segment === '') {
        params = undefined;
      } else {
        params[want.param] = segment;
      }
    }
    if (!params) continue;
    for (const [name, raw] of Object.entries(params)) {
      if (!raw.includes('%')) continue;
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        return undefined; // express answers a parameter that does not decode its own way
      }
    }
    return { route, params };
  }
  return undefined;
}

/**
 * Builds the dispatcher over an app's registered routes. It returns false for a request it leaves to
 * express, and true once it has taken the request (the response is then its business).
 */
export function fastDispatcher(routes: RegisteredRoute[], prefix: string, chain: FastChain) {
  const compiled = compile(routes, prefix);
  const noNegotiation = () => false;
  return (incoming: IncomingMessage, response: ServerResponse): boolean => {
    const url = incoming.url ?? '';
    if (!url.startsWith(prefix) || url.includes('#')) return false;
    const q = url.indexOf('?');
    const found = match(compiled, q < 0 ? url : url.slice(0, q));
    if (!found || !plainlyAcceptsJson(incoming)) return false;
    // What express's app.handle and router would have set for the handlers.
    const req = incoming as FastRequest;
    const res = response as RouteResponse;
    req.originalUrl = url;
    req.params = found.params;
    req.query = parseQuery(q < 0 ? '' : url.slice(q + 1));
    res.locals = Object.create(null);
    void run(req, res, found.route, chain, noNegotiation);
    return true;
  };
}

/**
 * The handler express would pick: route() registers one express route per method in the order the handlers
 * are listed, and a GET route also answers HEAD, so HEAD goes to whichever of get and head comes first.
 */
function handlerOf(route: RegisteredRoute, method: string): Handler | undefined {
  for (const [name, handler] of Object.entries(route.handlers)) {
    if (name === method || (method === 'head' && name === 'get')) return handler;
  }
  return undefined;
}

async function run(
  req: FastRequest,
  res: RouteResponse,
  route: RegisteredRoute,
  chain: FastChain,
  noNegotiation: () => boolean,
): Promise<void> {
  try {
    chain.requestContext(req, res, () => {});
    if (chain.cors) {
      let passed = false;
      chain.cors(req, res, () => {
        passed = true;
      });
      if (!passed) return; // a preflight answered
    }
    await chain.v2Checks(req, res, noNegotiation);
    req.route = { path: route.path };
    const handler = handlerOf(route, (req.method ?? '').toLowerCase());
    if (!handler) throw new MethodNotAllowed(route.allowed);
    await handler(req, res);
  } catch (err) {
    try {
      chain.errorHandler(err, req, res);
    } catch {
      // Rendering the error failed too (express would have fallen back to finalhandler): drop the connection.
      res.destroy();
    }
  }
}
