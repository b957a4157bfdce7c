// The benchmark scenarios: what each connection sends, how the queues are pre-filled, and how a run is verified.

import { randomUUID } from 'node:crypto';
import { runLoad } from './load.mjs';
import { CLAIM_BODY, PAGE, postBody, zaqarHeaders } from './payload.mjs';

/** Queues every run spreads its connections over. */
export const QUEUES = ['bench-q0', 'bench-q1', 'bench-q2', 'bench-q3'];

/** Messages per queue the list scenario reads from (it only ever reads the first page). */
const LIST_PREFILL_PER_QUEUE = 100;

/** Messages per queue the mixed scenario starts with, so consumers have work from the first second. */
const MIXED_PREFILL_PER_QUEUE = 2000;

/** How many deleted ids the claim check looks up again to make sure they are gone. */
const DELETED_SAMPLE = 200;

/** Role of connection i in the mixed scenario: ½ producers, ¼ consumers, ¼ observers. */
const MIXED_ROLES = ['producers', 'producers', 'consumers', 'observers'];

/** The queue connection i uses; in mixed, each group of 4 connections (one of each role mix) shares a queue. */
function queueOf(index, mixed) {
  return QUEUES[(mixed ? Math.floor(index / MIXED_ROLES.length) : index) % QUEUES.length];
}

/** A producer connection posting `batch` messages per request; stops after the deadline or when `enough()`. */
function producer(project, queue, batch, control, enough = () => false) {
  return [
    {
      method: 'POST',
      path: `/v2/queues/${queue}/messages`,
      headers: zaqarHeaders(randomUUID(), project),
      body: postBody(batch),
      onResponse: (status, body) => {
        if (status === 201) control.tally.messages += JSON.parse(body).resources.length;
        if (control.draining || enough()) control.stop();
      },
    },
  ];
}

/**
 * A consumer connection: claim up to PAGE messages, then DELETE ?ids= the claimed ids. Records every claimed
 * id in `ledger` to catch a message claimed twice. With `stopWhenEmpty` a connection whose claim finds
 * nothing stops (the queue is drained); otherwise it claims again.
 */
function consumer(project, queue, control, ledger, { stopWhenEmpty }) {
  const headers = zaqarHeaders(randomUUID(), project);
  let claimed = null;
  return [
    {
      method: 'POST',
      path: `/v2/queues/${queue}/claims?limit=${PAGE}`,
      headers,
      body: CLAIM_BODY,
      onResponse: (status, body) => {
        claimed = null;
        if (status === 201) {
          claimed = JSON.parse(body).messages.map((m) => m.id);
          for (const id of claimed) {
            if (ledger.claimed.has(id)) ledger.claimedTwice++;
            else ledger.claimed.add(id);
          }
          return; // the delete of these ids comes next, even when draining
        }
        if (status === 204) {
          ledger.emptyClaims++;
          if (stopWhenEmpty) {
            ledger.drainedAt ??= performance.now();
            control.stop();
            return;
          }
        }
        if (control.draining) control.stop();
      },
    },
    {
      method: 'DELETE',
      headers,
      // Nothing claimed: autocannon goes back to the claim.
      setupRequest: (request) =>
        claimed ? { ...request, path: `/v2/queues/${queue}/messages?ids=${claimed.join(',')}` } : null,
      onResponse: (status) => {
        if (status === 204) {
          control.tally.messages += claimed.length;
          for (const id of claimed) ledger.deleted.push(id);
        } else {
          ledger.deleteFailed += claimed.length;
        }
        claimed = null;
        if (control.draining) control.stop();
      },
    },
  ];
}

/** An observer connection: list the first page (echo=true), optionally followed by the queue's stats. */
function observer(project, queue, control, ledger, { withStats }) {
  const headers = zaqarHeaders(randomUUID(), project);
  const list = {
    method: 'GET',
    path: `/v2/queues/${queue}/messages?limit=${PAGE}&echo=true`,
    headers,
    onResponse: (status, body) => {
      if (status === 200) {
        const n = JSON.parse(body).messages.length;
        control.tally.messages += n;
        if (n !== PAGE) ledger.shortPages++;
      }
      if (control.draining && !withStats) control.stop();
    },
  };
  if (!withStats) return [list];
  const stats = {
    method: 'GET',
    path: `/v2/queues/${queue}/stats`,
    headers,
    onResponse: () => {
      if (control.draining) control.stop();
    },
  };
  return [list, stats];
}

/** A fresh ledger of what the consumers and observers saw. */
function newLedger() {
  return { claimed: new Set(), claimedTwice: 0, deleted: [], deleteFailed: 0, emptyClaims: 0, shortPages: 0 };
}

/**
 * Posts about `perQueue` messages into each queue with the load driver, for at most `maxSeconds`; returns how
 * many were acknowledged (exactly: every connection drains before it stops).
 */
async function prefill(run, perQueue, { connections = 16, maxSeconds = 60 } = {}) {
  const target = perQueue * QUEUES.length;
  const result = await runLoad({
    url: run.url,
    connections,
    duration: maxSeconds,
    connection: (index, control) => ({
      role: 'prefill',
      requests: producer(
        run.project,
        QUEUES[index % QUEUES.length],
        PAGE,
        control,
        () => control.tally.messages >= target,
      ),
    }),
  });
  const tally = result.tallies.get('prefill');
  if (!result.complete || tally.non2xx > 0 || tally.socketErrors > 0 || tally.timeouts > 0) {
    throw new Error(`pre-filling the queues failed: ${JSON.stringify(tally.statuses)}, ${tally.socketErrors} errors`);
  }
  return tally.messages;
}

/** Checks run by every scenario: all connections drained, no socket errors or timeouts. */
function transportChecks(result) {
  const failures = [];
  if (!result.complete) failures.push('some connections were still busy after the drain limit');
  for (const t of result.tallies.values()) {
    if (t.socketErrors || t.timeouts) {
      failures.push(`${t.role}: ${t.socketErrors} socket errors, ${t.timeouts} timeouts (outcome unknown)`);
    }
  }
  return failures;
}

/** Verifies a consumer ledger against the store: every claimed id deleted once and gone from the store. */
async function consumerChecks(run, ledger) {
  const failures = [];
  if (ledger.claimedTwice) failures.push(`${ledger.claimedTwice} message ids were claimed twice`);
  if (ledger.deleteFailed) failures.push(`${ledger.deleteFailed} claimed messages failed to delete`);
  if (ledger.deleted.length !== ledger.claimed.size) {
    failures.push(`claimed ${ledger.claimed.size} distinct ids but deleted ${ledger.deleted.length}`);
  }
  if (new Set(ledger.deleted).size !== ledger.deleted.length) failures.push('an id was deleted twice');
  // Spot-check that deleted ids are really gone (look-ups are by queue, so try each queue).
  const sample = ledger.deleted.slice(0, DELETED_SAMPLE);
  for (let i = 0; i < sample.length; i += 20) {
    const ids = sample.slice(i, i + 20);
    for (const queue of QUEUES) {
      const still = await run.client.existing(queue, ids);
      if (still.length) failures.push(`${still.length} deleted ids still exist in ${queue}`);
    }
  }
  return failures;
}

/** A scenario: name, what "msgs" counts, set-up, the connection factory, and the verification. */
export const SCENARIOS = {
  post1: {
    summary: 'POST 1 message per request',
    counts: { producers: 'posted (201)' },
    setup: async () => ({}),
    connection: (run) => (index, control) => ({
      role: 'producers',
      requests: producer(run.project, queueOf(index), 1, control),
    }),
    verify: async (run, result) => verifyPosts(run, result),
  },
  post10: {
    summary: 'POST 10 messages per request',
    counts: { producers: 'posted (201)' },
    setup: async () => ({}),
    connection: (run) => (index, control) => ({
      role: 'producers',
      requests: producer(run.project, queueOf(index), PAGE, control),
    }),
    verify: async (run, result) => verifyPosts(run, result),
  },
  list: {
    summary: `GET messages?limit=${PAGE}&echo=true on pre-filled queues`,
    counts: { observers: 'listed' },
    setup: async (run) => {
      for (const queue of QUEUES) {
        for (let n = 0; n < LIST_PREFILL_PER_QUEUE; n += PAGE) await run.client.post(queue, PAGE);
      }
      return { prefilled: LIST_PREFILL_PER_QUEUE * QUEUES.length, ledger: newLedger() };
    },
    connection: (run, state) => (index, control) => ({
      role: 'observers',
      requests: observer(run.project, queueOf(index), control, state.ledger, { withStats: false }),
    }),
    verify: async (run, result, state) => {
      const failures = transportChecks(result);
      if (state.ledger.shortPages) failures.push(`${state.ledger.shortPages} listings returned fewer than ${PAGE}`);
      const after = await run.client.totalStats(QUEUES);
      if (after.total !== state.prefilled) failures.push(`store holds ${after.total}, expected ${state.prefilled}`);
      return {
        failures,
        detail: `store ${after.total} = pre-filled ${state.prefilled}; every page had ${PAGE} messages`,
      };
    },
  },
  claim: {
    summary: `POST claims?limit=${PAGE} then DELETE messages?ids=<claimed>`,
    counts: { consumers: 'claimed+deleted' },
    setup: async (run) => {
      const perQueue = Math.ceil(run.prefill / QUEUES.length);
      const prefilled = await prefill(run, perQueue, { connections: 16, maxSeconds: run.duration });
      return { prefilled, ledger: newLedger() };
    },
    connection: (run, state) => (index, control) => ({
      role: 'consumers',
      requests: consumer(run.project, queueOf(index), control, state.ledger, { stopWhenEmpty: true }),
    }),
    verify: async (run, result, state) => {
      const failures = [...transportChecks(result), ...(await consumerChecks(run, state.ledger))];
      const after = await run.client.totalStats(QUEUES);
      const expected = state.prefilled - state.ledger.deleted.length;
      if (after.total !== expected) failures.push(`store holds ${after.total}, expected ${expected}`);
      if (after.claimed !== 0) failures.push(`${after.claimed} messages are still claimed`);
      const drained = state.ledger.drainedAt ? ' (a queue ran empty before the deadline)' : '';
      return {
        failures,
        detail:
          `${state.ledger.claimed.size} claimed, ${state.ledger.deleted.length} deleted, ` +
          `${state.ledger.claimedTwice} claimed twice; store ${after.total} = pre-filled ${state.prefilled} − deleted${drained}`,
      };
    },
  },
  mixed: {
    summary: '½ producers (POST 10), ¼ consumers (claim 10 + delete), ¼ observers (list + stats)',
    counts: { producers: 'posted (201)', consumers: 'claimed+deleted', observers: 'listed' },
    setup: async (run) => ({
      prefilled: await prefill(run, MIXED_PREFILL_PER_QUEUE),
      ledger: newLedger(),
    }),
    connection: (run, state) => (index, control) => {
      const role = MIXED_ROLES[index % MIXED_ROLES.length];
      const queue = queueOf(index, true);
      const requests =
        role === 'producers'
          ? producer(run.project, queue, PAGE, control)
          : role === 'consumers'
            ? consumer(run.project, queue, control, state.ledger, { stopWhenEmpty: false })
            : observer(run.project, queue, control, state.ledger, { withStats: true });
      return { role, requests };
    },
    verify: async (run, result, state) => {
      const failures = [...transportChecks(result), ...(await consumerChecks(run, state.ledger))];
      const posted = result.tallies.get('producers')?.messages ?? 0;
      const deleted = state.ledger.deleted.length;
      const expected = state.prefilled + posted - deleted;
      const after = await run.client.totalStats(QUEUES);
      if (after.total !== expected) failures.push(`store holds ${after.total}, expected ${expected}`);
      if (after.claimed !== 0) failures.push(`${after.claimed} messages are still claimed`);
      return {
        failures,
        detail:
          `store ${after.total} = pre-filled ${state.prefilled} + posted ${posted} − deleted ${deleted}; ` +
          `${state.ledger.claimed.size} claimed once each (${state.ledger.claimedTwice} twice)`,
      };
    },
  },
};

/** Post scenarios: the store holds exactly the messages acknowledged with 201 (the project is fresh). */
async function verifyPosts(run, result) {
  const failures = transportChecks(result);
  const acked = result.tallies.get('producers')?.messages ?? 0;
  const after = await run.client.totalStats(QUEUES);
  if (after.total !== acked) failures.push(`store holds ${after.total} messages but ${acked} were acknowledged`);
  return { failures, detail: `store ${after.total} = acknowledged ${acked}` };
}
