// CORS for browser clients: only configured origins get the Access-Control-* headers; preflights answer 204.

import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS = [
  'Content-Type',
  'Client-ID',
  'X-Project-ID',
  'X-Auth-Token',
  'URL-Signature',
  'URL-Expires',
  'URL-Methods',
  'URL-Paths',
].join(', ');
const METHODS = 'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS';

/** Adds CORS headers for allowed origins ("*" allows any); other origins get none. */
export function cors(origins: string[]) {
  const any = origins.includes('*');
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const origin = req.headers.origin;
    if (origin && (any || origins.includes(origin))) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Location, X-OpenStack-Request-Id');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.setHeader('Access-Control-Allow-Methods', METHODS);
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '3600');
        res.statusCode = 204;
        res.end();
        return;
      }
    }
    next();
  };
}
