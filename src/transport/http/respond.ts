// Writing JSON responses the way Zaqar does (application/json; charset=utf-8).

import type { ServerResponse } from 'node:http';

/** The Content-Type of every JSON answer, spelled as express's res.send spelled it. */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a JSON body with a status, on node's response alone (the fast dispatcher's requests never meet
 * express). The same headers and body as express's res.send gave with ETags off: Content-Type and
 * Content-Length, no body for HEAD, and none (nor those headers) for 204 and 304.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  if (status === 204 || status === 304) {
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  if (res.req.method === 'HEAD') res.end();
  else res.end(text);
}

/** Sends an empty response (204 and friends). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.end();
}
