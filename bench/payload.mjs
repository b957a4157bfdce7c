// What the load sends: the 126-byte message body, post/claim request bodies and the Zaqar v2 headers.

/** Bytes in the JSON encoding of one message body, as the benchmark specifies. */
export const MESSAGE_BODY_BYTES = 126;

/** Message TTL in seconds: long enough that nothing expires between a run and its verification. */
export const MESSAGE_TTL = 3600;

/** Messages a claim takes and a list returns per request. */
export const PAGE = 10;

/** The claim request body: Zaqar's minimum TTL and grace, far longer than any run. */
export const CLAIM_BODY = JSON.stringify({ ttl: 60, grace: 60 });

/** A message body whose JSON encoding is exactly MESSAGE_BODY_BYTES long. */
export function messageBody() {
  const base = { event: 'qgate-bench', kind: 'order.created', seq: 123456, payload: '' };
  const padding = MESSAGE_BODY_BYTES - Buffer.byteLength(JSON.stringify(base));
  if (padding < 0) throw new Error('the bench message template is longer than the message body size');
  const body = { ...base, payload: 'x'.repeat(padding) };
  if (Buffer.byteLength(JSON.stringify(body)) !== MESSAGE_BODY_BYTES) throw new Error('bench message body size');
  return body;
}

/** The JSON request body posting `count` messages. */
export function postBody(count) {
  const message = { ttl: MESSAGE_TTL, body: messageBody() };
  return JSON.stringify({ messages: Array.from({ length: count }, () => message) });
}

/** The headers every /v2 request carries. */
export function zaqarHeaders(clientId, project) {
  return { 'Client-ID': clientId, 'X-Project-ID': project, 'Content-Type': 'application/json' };
}
