// The command line of `npm run bench`: options, defaults, validation and the usage text.

import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm run bench -- [options]

  --scenario NAME     post1 | post10 | list | claim | mixed (default post1)
  --connections N     concurrent keep-alive connections (default 16)
  --duration S        seconds of load per run (default 10)
  --target URL        a running qgate on 127.0.0.1 (default http://127.0.0.1:8888)
  --pid PID           that gateway's process id, to report its CPU% and RSS
  --start-server      spawn node dist/main.js on a free port for each run and stop it afterwards
  --store URI         with --start-server: the store (QGATE_STORE_URI), e.g. redis://127.0.0.1:6379;
                      repeat it to run everything once per store (memory: is the embedded store)
  --workers N         with --start-server: gateway worker processes (QGATE_WORKERS; default one per core)
  --prefill N         claim: pre-fill up to N messages (default 200000; at most --duration seconds of posting)
  --all               every scenario at 16 and 64 connections; writes the table to bench/RESULTS.md
  --results PATH      where --all writes its table (default bench/RESULTS.md)
  --baseline DIR      with --start-server: another built checkout (the "before"); every run alternates
                      it with this one, --rounds times (A B A B), on the first --store only
  --rounds N          with --baseline: pairs of runs per scenario (default 2)
  --soak S            with --all: one more mixed run of S seconds at 16 connections on the first store,
                      reporting the gateway's RSS over time (is it flat after warm-up?)
  -h, --help          this text

Build first (npm run build). Exits 1 when a verification fails, 2 on bad usage.`;

export const SCENARIO_NAMES = ['post1', 'post10', 'list', 'claim', 'mixed'];

/** Hosts the benchmark may send traffic to: the loopback interface only. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** A usage error: the message is printed with the usage text. */
export class UsageError extends Error {}

function integer(name, text, min, max) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** Parses and validates argv into the options of a benchmark. */
export function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'post1' },
        connections: { type: 'string', default: '16' },
        duration: { type: 'string', default: '10' },
        target: { type: 'string', default: 'http://127.0.0.1:8888' },
        pid: { type: 'string' },
        'start-server': { type: 'boolean', default: false },
        store: { type: 'string', multiple: true },
        workers: { type: 'string' },
        baseline: { type: 'string' },
        rounds: { type: 'string', default: '2' },
        soak: { type: 'string' },
        prefill: { type: 'string', default: '200000' },
        all: { type: 'boolean', default: false },
        results: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (!SCENARIO_NAMES.includes(values.scenario)) {
    throw new UsageError(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}`);
  }
  const target = new URL(values.target);
  if (!LOOPBACK.has(target.hostname) || target.protocol !== 'http:') {
    throw new UsageError('--target must be an http:// URL on 127.0.0.1: the benchmark only loads the local machine');
  }
  target.hostname = '127.0.0.1';
  if (values.store && !values['start-server']) throw new UsageError('--store needs --start-server');
  if (values.pid && values['start-server']) throw new UsageError('--pid and --start-server exclude each other');
  if (values.results && !values.all) throw new UsageError('--results needs --all');
  if (values.workers && !values['start-server']) throw new UsageError('--workers needs --start-server');
  if (values.baseline && !values['start-server']) throw new UsageError('--baseline needs --start-server');
  if (values.soak && !values.all) throw new UsageError('--soak needs --all');
  const connections = integer('connections', values.connections, 1, 1024);
  if (values.scenario === 'mixed' && connections < 4 && !values.all) {
    throw new UsageError('mixed needs at least 4 connections (½ producers, ¼ consumers, ¼ observers)');
  }
  return {
    help: values.help,
    scenario: values.scenario,
    connections,
    duration: integer('duration', values.duration, 1, 300),
    target: target.origin,
    pid: values.pid ? integer('pid', values.pid, 1, 2 ** 22) : undefined,
    startServer: values['start-server'],
    stores: values.store ?? [],
    workers: values.workers ? integer('workers', values.workers, 1, 256) : undefined,
    baseline: values.baseline,
    rounds: integer('rounds', values.rounds, 1, 10),
    soak: values.soak ? integer('soak', values.soak, 10, 3600) : undefined,
    prefill: integer('prefill', values.prefill, 100, 5_000_000),
    all: values.all,
    results: values.results,
  };
}
