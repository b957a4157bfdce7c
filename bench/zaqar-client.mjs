// A small fetch-based Zaqar v2 client for setting up a run and checking the store afterwards (not the load).

import { randomUUID } from 'node:crypto';
import { postBody, zaqarHeaders } from './payload.mjs';

/** Calls the Zaqar v2 API of one project with one Client-ID. */
export class ZaqarClient {
  /**
   * @param {string} base  the gateway's base URL, e.g. http://127.0.0.1:8888
   * @param {string} project  the X-Project-ID every call carries
   */
  constructor(base, project) {
    this.base = base;
    this.project = project;
    this.headers = zaqarHeaders(randomUUID(), project);
  }

  /** Sends one request; throws with the status and body unless the status is one of `expected`. */
  async call(method, path, { body, expected = [200, 201, 204] } = {}) {
    let response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: this.headers,
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new Error(`${method} ${this.base}${path} failed: ${err.cause?.message ?? err.message}`);
    }
    const text = await response.text();
    if (!expected.includes(response.status)) {
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Fails unless GET /v2/ping answers 204. */
  async ping() {
    await this.call('GET', '/v2/ping', { expected: [204] });
  }

  /** Creates a queue (201, or 204 when it exists). */
  async createQueue(queue) {
    await this.call('PUT', `/v2/queues/${queue}`, { expected: [201, 204] });
  }

  /** The queue's message counts: { claimed, free, total }. */
  async stats(queue) {
    const { json } = await this.call('GET', `/v2/queues/${queue}/stats`, { expected: [200] });
    return json.messages;
  }

  /** Sums the stats of several queues. */
  async totalStats(queues) {
    const all = await Promise.all(queues.map((queue) => this.stats(queue)));
    return all.reduce(
      (sum, s) => ({ claimed: sum.claimed + s.claimed, free: sum.free + s.free, total: sum.total + s.total }),
      { claimed: 0, free: 0, total: 0 },
    );
  }

  /** Posts `count` messages in one request; returns how many the gateway acknowledged. */
  async post(queue, count) {
    const { json } = await this.call('POST', `/v2/queues/${queue}/messages`, {
      body: postBody(count),
      expected: [201],
    });
    return json.resources.length;
  }

  /** The ids among `ids` (at most 20) that still exist in the queue. */
  async existing(queue, ids) {
    const { json } = await this.call('GET', `/v2/queues/${queue}/messages?ids=${ids.join(',')}`, {
      expected: [200, 404],
    });
    return (json?.messages ?? []).map((m) => m.id);
  }
}
