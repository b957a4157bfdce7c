// Drives autocannon connections with per-connection request sequences, then drains them so every response counts.

import autocannon from 'autocannon';

/** How long connections may take to finish their last sequence after the deadline before the run is cut. */
export const DRAIN_LIMIT_S = 10;

/** Per-request timeout, in seconds: a request without an answer by then is counted as a timeout. */
const REQUEST_TIMEOUT_S = 10;

/** A growable list of latencies (ms) with exact percentiles. */
class Latencies {
  constructor() {
    this.values = new Float64Array(4096);
    this.length = 0;
  }

  add(ms) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  /** Appends every value of another list. */
  addAll(other) {
    for (let i = 0; i < other.length; i++) this.add(other.values[i]);
  }

  /** Nearest-rank percentiles, e.g. percentiles([50, 90, 99]) → [p50, p90, p99]; NaN when empty. */
  percentiles(ps) {
    const sorted = this.values.slice(0, this.length).sort();
    return ps.map((p) => (sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN));
  }
}

/** What one role (producers, consumers, observers…) did during a run. */
export class Tally {
  constructor(role) {
    this.role = role;
    this.connections = 0;
    /** Completed responses, whatever their status. */
    this.responses = 0;
    /** Messages moved, as the scenario counts them (acknowledged, listed, claimed and deleted). */
    this.messages = 0;
    /** Responses by status code. */
    this.statuses = {};
    /** Connection errors and timeouts (the outcome of those requests is unknown). */
    this.socketErrors = 0;
    this.timeouts = 0;
    this.latencies = new Latencies();
  }

  get non2xx() {
    return Object.entries(this.statuses).reduce((sum, [code, n]) => (code.startsWith('2') ? sum : sum + n), 0);
  }
}

/** One tally summing several roles (messages included), e.g. the whole of a mixed run. */
export function mergeTallies(role, tallies) {
  const all = new Tally(role);
  for (const t of tallies) {
    all.connections += t.connections;
    all.responses += t.responses;
    all.messages += t.messages;
    all.socketErrors += t.socketErrors;
    all.timeouts += t.timeouts;
    for (const [code, n] of Object.entries(t.statuses)) all.statuses[code] = (all.statuses[code] ?? 0) + n;
    all.latencies.addAll(t.latencies);
  }
  return all;
}

/**
 * Runs `connections` keep-alive connections against `url` for `duration` seconds. For each connection,
 * `connection(index, control)` returns { role, requests }: autocannon requests (method, path, headers, body,
 * setupRequest, onResponse) that the connection sends in a loop. After the deadline `control.draining` is
 * true, and each connection's onResponse must call `control.stop()` once its sequence is complete (say,
 * after the delete that follows a claim), so no request is left in flight and every store change is counted.
 * Resolves to { elapsedS, tallies: Map<role, Tally>, complete, resets } where complete is false if some
 * connection was still running DRAIN_LIMIT_S after the deadline.
 */
export function runLoad({ url, connections, duration, connection }) {
  const tallies = new Map();
  let draining = false;
  let stopped = 0;
  let next = 0;
  const startedAt = performance.now();
  let lastResponseAt = startedAt;

  const setupClient = (client) => {
    let done = false;
    const control = {
      get draining() {
        return draining;
      },
      // autocannon sends no further request once a client has made `responseMax` of them, then closes it:
      // setting it from onResponse ends the connection cleanly right after the response in hand.
      stop() {
        if (done) return;
        done = true;
        stopped++;
        client.responseMax = client.reqsMade;
      },
    };
    const { role, requests } = connection(next++, control);
    if (!tallies.has(role)) tallies.set(role, new Tally(role));
    const tally = tallies.get(role);
    tally.connections++;
    control.tally = tally;
    // Count every answer before the scenario sees it; onResponse runs before the client's 'response' event.
    const counted = requests.map((request) => ({
      ...request,
      onResponse: (status, body, context, headers) => {
        tally.responses++;
        tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
        request.onResponse?.(status, body, context, headers);
      },
    }));
    client.setRequests(counted);
    client.on('response', (_status, _bytes, ms) => {
      lastResponseAt = performance.now();
      tally.latencies.add(ms);
    });
    client.on('connError', () => tally.socketErrors++);
    client.on('timeout', () => tally.timeouts++);
  };

  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      draining = true;
    }, duration * 1000);
    autocannon(
      {
        url,
        connections,
        duration: duration + DRAIN_LIMIT_S,
        timeout: REQUEST_TIMEOUT_S,
        setupClient,
      },
      (err, result) => {
        clearTimeout(deadline);
        if (err) {
          reject(err);
          return;
        }
        resolve({
          elapsedS: (lastResponseAt - startedAt) / 1000,
          tallies,
          complete: stopped === connections,
          resets: result.resets,
        });
      },
    );
  });
}
