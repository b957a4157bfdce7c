// Frames on the wire: JSON text and MessagePack binary requests decoded to JSON values, replies encoded alike.

import { decode, encode } from '@msgpack/msgpack';

/** How a frame is encoded: text frames carry JSON, binary frames MessagePack. */
export type FrameEncoding = 'json' | 'msgpack';

/** A decoded request, or why it could not be decoded (worded as Zaqar words it). */
export type DecodedFrame = { ok: true; payload: unknown } | { ok: false; error: string };

/** Deepest nesting a request may have: deeper documents could not be stored or rendered safely. */
const MAX_DEPTH = 256;

const NAMES: Record<FrameEncoding, string> = { json: 'text (JSON)', msgpack: 'binary (MessagePack)' };

/**
 * Decodes a frame. The size is already bounded by the server's max frame size. JSON.parse keeps
 * "__proto__" keys as plain data; the MessagePack decoder refuses them. Values JSON cannot hold
 * (MessagePack bin, extension types, timestamps, non-finite floats) are refused, so every
 * operation sees the same JSON documents whichever encoding a client uses.
 */
export function decodeFrame(data: Buffer, encoding: FrameEncoding): DecodedFrame {
  try {
    const payload = encoding === 'json' ? JSON.parse(data.toString('utf8')) : decode(data);
    checkJsonValue(payload);
    return { ok: true, payload };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: `Can't decode ${NAMES[encoding]} request. ${e.name}: ${e.message}` };
  }
}

/** Encodes a reply in the encoding of the request it answers. */
export function encodeFrame(document: unknown, encoding: FrameEncoding): Buffer | string {
  if (encoding === 'json') return JSON.stringify(document);
  const bytes = encode(document, { ignoreUndefined: true });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Size in bytes of an encoded frame. */
export function frameBytes(frame: Buffer | string): number {
  return typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
}

/** Throws a TypeError unless the value is made of JSON values only, no deeper than MAX_DEPTH. */
function checkJsonValue(root: unknown): void {
  // An explicit stack: a recursive walk could overflow on a hostile, deeply nested frame.
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError('numbers must be finite');
      continue;
    }
    if (depth >= MAX_DEPTH) throw new TypeError(`documents may nest at most ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
      continue;
    }
    if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const item of Object.values(value)) stack.push([item, depth + 1]);
      continue;
    }
    throw new TypeError('only JSON values are accepted (no binary data, extension types or timestamps)');
  }
}
