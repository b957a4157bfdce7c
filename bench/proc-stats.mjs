// CPU% and RSS of a process and its descendants over a run, read from /proc (Linux only).

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const SAMPLE_MS = 250;

/** Clock ticks per second that /proc/PID/stat counts CPU time in (almost always 100). */
async function clockTicks() {
  try {
    const { stdout } = await promisify(execFile)('getconf', ['CLK_TCK']);
    const ticks = Number(stdout.trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** User + system CPU seconds the process has used so far. */
async function cpuSeconds(pid, ticks) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime: fields 14 and 15 of stat
}

/** Resident set size in bytes (VmRSS). */
async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** The process and all its descendants (a clustered gateway: the primary and its workers). */
async function processTree(pid) {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const children = await readFile(`/proc/${tree[i]}/task/${tree[i]}/children`, 'utf8').catch(() => '');
    for (const child of children.trim().split(/\s+/)) if (child) tree.push(Number(child));
  }
  return tree;
}

/**
 * Starts sampling a process and its descendants (cluster workers included, restarted ones too); `stop()`
 * returns { cpuPercent, rssPeakBytes, rssEndBytes, processes, rssSeries } where 100% CPU is one core fully
 * busy, RSS is summed over the processes alive at each sample, and rssSeries is [{ s, bytes }] every
 * SAMPLE_MS. Returns null from stop() if the process could not be read.
 */
export async function sampleProcess(pid) {
  const ticks = await clockTicks();
  const startedAt = performance.now();
  /** CPU seconds per pid: when first seen (0 for a process born during the run) and when last seen. */
  const cpu = new Map();
  let peak = 0;
  let last = 0;
  let processes = 1;
  const series = [];
  const sample = async (initial) => {
    const tree = await processTree(pid);
    let rss = 0;
    for (const p of tree) {
      const used = await cpuSeconds(p, ticks).catch(() => undefined);
      if (used === undefined) continue;
      const known = cpu.get(p);
      if (known) known.last = used;
      else cpu.set(p, { first: initial ? used : 0, last: used });
      rss += await rssBytes(p).catch(() => 0);
    }
    processes = Math.max(processes, tree.length);
    peak = Math.max(peak, rss);
    last = rss;
    series.push({ s: (performance.now() - startedAt) / 1000, bytes: rss });
  };
  try {
    await cpuSeconds(pid, ticks);
  } catch {
    return { stop: async () => null };
  }
  await sample(true);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sample(false)
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, SAMPLE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      try {
        await cpuSeconds(pid, ticks);
        await sample(false);
        const seconds = (performance.now() - startedAt) / 1000;
        const used = [...cpu.values()].reduce((sum, c) => sum + (c.last - c.first), 0);
        return {
          cpuPercent: (used / seconds) * 100,
          rssPeakBytes: peak,
          rssEndBytes: last,
          processes,
          rssSeries: series,
        };
      } catch {
        return null;
      }
    },
  };
}

/** Samples this (the benchmark's own) process: CPU% it used, so a saturated client shows. */
export function sampleSelf() {
  const startedAt = performance.now();
  const start = process.cpuUsage();
  return {
    stop: () => {
      const used = process.cpuUsage(start);
      const seconds = (performance.now() - startedAt) / 1000;
      return ((used.user + used.system) / 1e6 / seconds) * 100;
    },
  };
}
