// Reading request bodies with a size cap before parsing, and parsing them as JSON safely.

import type { IncomingMessage } from 'node:http';
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
export async function readJsonBody(req: IncomingMessage, limit: number, tooLarge: () => QgateError): Promise<RawBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    throw tooLarge();
  }
  const { bytes, chunks } = await collect(req, limit, tooLarge);
  if (bytes === 0) return { bytes: 0, document: undefined };
  const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes)).toString('utf8');
  try {
    return { bytes, document: JSON.parse(text) };
  } catch {
    throw new BadRequestBody('Request body could not be parsed.');
  }
}

/**
 * The body's chunks, read with plain 'data'/'end' listeners: an async iterator over the request cost more
 * than the rest of a small post in the profiles. As with the iterator before, a body passing `limit`
 * destroys the request, and a stream error or a premature close (the client went away) rejects.
 */
function collect(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => QgateError,
): Promise<{ bytes: number; chunks: Buffer[] }> {
  if (req.readableEnded) return Promise.resolve({ bytes: 0, chunks: [] });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const settle = (err?: unknown) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err === undefined) resolve({ bytes, chunks });
      else reject(err);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        settle(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onError = (err: Error) => settle(err);
    const onClose = () => {
      settle(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Same as readJsonBody, but an absent body is an error, as Zaqar's deserialize has it. */
export async function requireJsonBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => QgateError,
): Promise<RawBody> {
  const body = await readJsonBody(req, limit, tooLarge);
  if (body.document === undefined) throw new BadRequestBody('Request body can not be empty');
  return body;
}
