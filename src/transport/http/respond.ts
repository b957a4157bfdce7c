// Writing JSON responses the way Zaqar does (application/json; charset=UTF-8).

import type { Response } from 'express';

/** Sends a JSON body with a status. */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json; charset=UTF-8').send(JSON.stringify(body));
}

/** Sends an empty response (204 and friends). */
export function sendEmpty(res: Response, status: number): void {
  res.status(status).end();
}
