// Reading request bodies with a size cap before parsing, and parsing them as JSON safely.

import type { Request } from 'express';
import { BadRequestBody, type QgateError } from '../../core/errors';

/** A request body read off the wire. */
export interface RawBody {
  /** Size in bytes (0 when the request had no body). */
  bytes: number;
  /** The parsed JSON document, or undefined when there was no body. */
  document: unknown;
}

/**
 * Reads the body up to `limit` bytes and parses it as JSON. A declared Content-Length over the
 * limit is refused before reading anything; a chunked body is cut off as soon as it passes it.
 * JSON.parse keeps keys such as "__proto__" as plain data.
 */
export async function readJsonBody(req: Request, limit: number, tooLarge: () => QgateError): Promise<RawBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  if (bytes === 0) return { bytes: 0, document: undefined };
  const text = Buffer.concat(chunks, bytes).toString('utf8');
  try {
    return { bytes, document: JSON.parse(text) };
  } catch {
    throw new BadRequestBody('Request body could not be parsed.');
  }
}

/** Same as readJsonBody, but an absent body is an error, as Zaqar's deserialize has it. */
export async function requireJsonBody(req: Request, limit: number, tooLarge: () => QgateError): Promise<RawBody> {
  const body = await readJsonBody(req, limit, tooLarge);
  if (body.document === undefined) throw new BadRequestBody('Request body can not be empty');
  return body;
}
