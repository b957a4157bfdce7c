// Turns run results into table rows, prints them, and describes the machine for bench/RESULTS.md.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import { mergeTallies } from './load.mjs';

const COLUMNS = [
  ['scenario', 'scenario'],
  ['conns', 'conns'],
  ['secs', 'secs'],
  ['msgs/s', 'msgsPerS'],
  ['msgs counted', 'counts'],
  ['req/s', 'reqPerS'],
  ['p50 ms', 'p50'],
  ['p90 ms', 'p90'],
  ['p99 ms', 'p99'],
  ['non-2xx', 'non2xx'],
  ['socket errors', 'socketErrors'],
  ['gateway CPU%', 'cpu'],
  ['gateway RSS MB', 'rss'],
  ['workers', 'workers'],
  ['bench CPU%', 'benchCpu'],
  ['verify', 'verify'],
];

/** Columns holding text (left-aligned); the others hold numbers (right-aligned). */
const TEXT_COLUMNS = new Set([0, 4, 15]);

const fixed = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** One table row of a tally; `outcome` fields (CPU, RSS, verification) only go on the last row of a run. */
function row(name, connections, tally, counts, elapsedS, outcome) {
  const [p50, p90, p99] = tally.latencies.percentiles([50, 90, 99]);
  return {
    scenario: name,
    conns: String(connections),
    secs: fixed(elapsedS, 1),
    msgsPerS: counts ? fixed(tally.messages / elapsedS, 0) : '–',
    counts: counts ?? '–',
    reqPerS: fixed(tally.responses / elapsedS, 0),
    p50: fixed(p50, 2),
    p90: fixed(p90, 2),
    p99: fixed(p99, 2),
    non2xx: String(tally.non2xx),
    socketErrors: String(tally.socketErrors + tally.timeouts),
    cpu: outcome?.gateway ? fixed(outcome.gateway.cpuPercent, 0) : '',
    rss: outcome?.gateway ? fixed(outcome.gateway.rssPeakBytes / 2 ** 20, 0) : '',
    workers: outcome?.workers ? String(outcome.workers) : '',
    benchCpu: outcome ? fixed(outcome.benchCpu, 0) : '',
    verify: outcome ? (outcome.failures.length ? 'FAIL' : 'PASS') : '',
  };
}

/**
 * The rows of one run: one per role, and for a run with several roles (mixed) one more for all of them.
 * `run` is { scenario, connections, counts, result, gateway, benchCpu, failures }.
 */
export function rowsOf(run) {
  const tallies = [...run.result.tallies.values()];
  const { elapsedS } = run.result;
  if (tallies.length === 1) {
    return [row(run.scenario, run.connections, tallies[0], run.counts[tallies[0].role], elapsedS, run)];
  }
  const rows = tallies.map((t) => row(`${run.scenario}: ${t.role}`, t.connections, t, run.counts[t.role], elapsedS));
  rows.push(row(`${run.scenario}: all`, run.connections, mergeTallies('all', tallies), undefined, elapsedS, run));
  return rows;
}

/** A markdown table of rows (readable as plain text on a terminal too). */
export function markdownTable(rows) {
  const widths = COLUMNS.map(([title, key]) => Math.max(title.length, ...rows.map((r) => r[key].length)));
  const numeric = (i) => !TEXT_COLUMNS.has(i);
  const line = (cells, align = true) =>
    `| ${cells.map((c, i) => (align && numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [
    line(
      COLUMNS.map(([title]) => title),
      false,
    ),
    `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...rows.map((r) => line(COLUMNS.map(([, key]) => r[key]))),
  ].join('\n');
}

/** The verification lines of a run: PASS with what was checked, or FAIL with each failure. */
export function verificationText(run) {
  const verdict = run.failures.length ? 'FAIL' : 'PASS';
  const head = `${run.scenario} @ ${run.connections} (${run.result.elapsedS.toFixed(1)} s): ${verdict} — ${run.detail}`;
  return [head, ...run.failures.map((f) => `  - ${f}`)].join('\n');
}

/** CPU model, cores, memory, Node version, date, and the commit of the tree measured. */
export async function describeMachine() {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    const git = promisify(execFile);
    const { stdout: head } = await git('git', ['rev-parse', '--short', 'HEAD']);
    const { stdout: dirty } = await git('git', ['status', '--porcelain', '--', 'src']);
    commit = head.trim() + (dirty.trim() ? ' (with uncommitted changes in src/)' : '');
  } catch {}
  return {
    cpu: model,
    cores: os.cpus().length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
  };
}

/** msgs/s and p99 of a run's main row (for a mixed run: produced msgs/s and the p99 of every response). */
function headline(run) {
  const tallies = [...run.result.tallies.values()];
  const main = tallies.length === 1 ? tallies[0] : run.result.tallies.get('producers');
  const all = tallies.length === 1 ? tallies[0] : mergeTallies('all', tallies);
  const [p99] = all.latencies.percentiles([99]);
  // CPU per request: the share of a core the gateway used over the run, divided by the requests answered.
  const cpuUs = run.gateway ? ((run.gateway.cpuPercent / 100) * run.result.elapsedS * 1e6) / all.responses : undefined;
  return { msgsPerS: main.messages / run.result.elapsedS, p99, cpu: run.gateway?.cpuPercent, cpuUs };
}

/** The before/after table of alternating runs: one row per scenario and connection count, every pair shown. */
export function abTable(pairs) {
  const groups = new Map();
  for (const pair of pairs) {
    const key = `${pair.after.scenario} ${pair.after.connections}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(pair);
  }
  const lines = [
    '| scenario | conns | msgs/s before | msgs/s after | after ÷ before | p99 ms before | p99 ms after | gateway CPU µs/request before | after |',
    '| -------- | ----: | ------------: | -----------: | -------------: | ------------: | -----------: | ----------------------------: | ----: |',
  ];
  const list = (values, digits) => values.map((v) => fixed(v, digits)).join(' / ');
  for (const group of groups.values()) {
    const b = group.map((p) => headline(p.before));
    const a = group.map((p) => headline(p.after));
    const cells = [
      group[0].after.scenario,
      group[0].after.connections,
      list(
        b.map((h) => h.msgsPerS),
        0,
      ),
      list(
        a.map((h) => h.msgsPerS),
        0,
      ),
      a.map((h, i) => `${fixed(h.msgsPerS / b[i].msgsPerS, 1)}×`).join(' / '),
      list(
        b.map((h) => h.p99),
        1,
      ),
      list(
        a.map((h) => h.p99),
        1,
      ),
      list(
        b.map((h) => h.cpuUs),
        0,
      ),
      list(
        a.map((h) => h.cpuUs),
        0,
      ),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Zaqar's reference figures on this kind of machine (issue 9); the targets are 10× the msgs/s and p99 ÷ 5. */
const REFERENCE = {
  post1: { msgsPerS: 1400, p99: 18 },
  post10: { msgsPerS: 7800, p99: 28 },
  list: { msgsPerS: 4800, p99: 44 },
  claim: { msgsPerS: 3000, p99: 38 },
  mixed: { msgsPerS: 390 },
};

/** Whether each scenario meets the targets, from every run of the current build (all must meet them). */
export function targetsSection(runs) {
  const lines = [
    '### Targets (10× the reference msgs/s, p99 at most a fifth of the reference; every run must meet them)',
    '',
    '| scenario | conns | msgs/s (each run) | target msgs/s | p99 ms (each run) | target p99 ms | met? |',
    '| -------- | ----: | ----------------: | ------------: | ----------------: | ------------: | ---- |',
  ];
  const groups = new Map();
  for (const run of runs) {
    const key = `${run.scenario} ${run.connections}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(run);
  }
  for (const group of groups.values()) {
    const { scenario, connections } = group[0];
    const ref = REFERENCE[scenario];
    const h = group.map(headline);
    const msgsTarget = ref.msgsPerS * 10;
    const p99Target = ref.p99 === undefined ? undefined : ref.p99 / 5;
    // The reference's mixed run produced about as much as it consumed: both sides must reach 10×.
    const rates = (x, run) =>
      scenario === 'mixed'
        ? [x.msgsPerS, (run.result.tallies.get('consumers')?.messages ?? 0) / run.result.elapsedS]
        : [x.msgsPerS];
    const perRun = h.map((x, i) => rates(x, group[i]));
    const msgsMet = perRun.every((values) => values.every((v) => v >= msgsTarget));
    const p99Met = p99Target === undefined || h.every((x) => x.p99 <= p99Target);
    const verdict =
      msgsMet && p99Met ? 'yes' : `no (${[msgsMet ? '' : 'msgs/s', p99Met ? '' : 'p99'].filter(Boolean).join(', ')})`;
    const shown = perRun.map((values) => values.map((v) => fixed(v, 0)).join(' + ')).join(' / ');
    lines.push(
      `| ${scenario}${scenario === 'mixed' ? ' (produced + consumed)' : ''} | ${connections} | ${shown} | ${msgsTarget} | ` +
        `${h.map((x) => fixed(x.p99, 1)).join(' / ')} | ${p99Target === undefined ? '–' : fixed(p99Target, 1)} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}

/** The RSS-over-time section of a long mixed run: the series every 30 s and whether it stayed flat. */
export function soakSection(run) {
  const series = run.gateway?.rssSeries ?? [];
  const mb = (bytes) => bytes / 2 ** 20;
  const at = (from, to) => series.filter((p) => p.s >= from && p.s < to).map((p) => p.bytes);
  const seconds = series.length ? series[series.length - 1].s : 0;
  const points = [];
  for (let t = 0; t <= seconds; t += 30) {
    const window = at(t, t + 30);
    if (window.length) points.push(`${t} s: ${fixed(mb(Math.max(...window)), 0)}`);
  }
  // Warm-up: the first minute. After it, the least-squares trend of every sample says whether RSS grows.
  const after = series.filter((p) => p.s >= 60);
  let verdict = 'too short to judge (needs more than 2 minutes)';
  if (after.length > 10 && seconds > 120) {
    const n = after.length;
    const meanS = after.reduce((sum, p) => sum + p.s, 0) / n;
    const meanB = after.reduce((sum, p) => sum + p.bytes, 0) / n;
    const slope =
      after.reduce((sum, p) => sum + (p.s - meanS) * (p.bytes - meanB), 0) /
      after.reduce((sum, p) => sum + (p.s - meanS) ** 2, 0);
    const drift = (slope * (seconds - 60)) / meanB;
    const low = Math.min(...after.map((p) => p.bytes));
    const high = Math.max(...after.map((p) => p.bytes));
    const trend = drift > 0.05 ? 'GROWING' : drift < -0.05 ? 'shrinking' : 'flat after warm-up';
    verdict =
      `after the first minute RSS averaged ${fixed(mb(meanB), 0)} MB (${fixed(mb(low), 0)}–${fixed(mb(high), 0)} MB); ` +
      `its trend is ${slope >= 0 ? '+' : ''}${fixed(mb(slope) * 60, 1)} MB per minute, ` +
      `${drift >= 0 ? '+' : ''}${fixed(drift * 100, 1)}% over the run: ${trend}`;
  }
  return [
    `## RSS over a ${fixed(run.result.elapsedS, 0)} s mixed run (16 connections, ${run.workers ?? 1} worker process(es))`,
    '',
    markdownTable(rowsOf(run)),
    '',
    `Gateway RSS (MB, all processes, peak per 30 s window): ${points.join(', ')}.`,
    '',
    `Verdict: ${verdict}.`,
  ].join('\n');
}
