// The hrefs the v2 API returns for queues, messages and claims.

/** Path prefix of the v2 API. */
export const V2 = '/v2';

/** /v2/queues/{queue} */
export function queueHref(queue: string): string {
  return `${V2}/queues/${queue}`;
}

/** /v2/queues/{queue}/messages/{id}, with ?claim_id= when the message is claimed. */
export function messageHref(queue: string, id: string, claimId?: string | null): string {
  const href = `${V2}/queues/${queue}/messages/${id}`;
  return claimId ? `${href}?claim_id=${encodeURIComponent(claimId)}` : href;
}

/** /v2/queues/{queue}/claims/{id} */
export function claimHref(queue: string, id: string): string {
  return `${V2}/queues/${queue}/claims/${id}`;
}
