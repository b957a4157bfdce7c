// CPU% and RSS of a process over a run, read from /proc/PID/stat and /proc/PID/status (Linux only).

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

/**
 * Starts sampling a process; `stop()` returns { cpuPercent, rssPeakBytes, rssEndBytes }
 * where 100% CPU is one core fully busy. Returns null from stop() if the process could not be read.
 */
export async function sampleProcess(pid) {
  const ticks = await clockTicks();
  const startedAt = performance.now();
  let startCpu;
  try {
    startCpu = await cpuSeconds(pid, ticks);
  } catch {
    return { stop: async () => null };
  }
  let peak = await rssBytes(pid).catch(() => 0);
  const timer = setInterval(() => {
    rssBytes(pid)
      .then((rss) => {
        peak = Math.max(peak, rss);
      })
      .catch(() => {});
  }, SAMPLE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      try {
        const [endCpu, endRss] = await Promise.all([cpuSeconds(pid, ticks), rssBytes(pid)]);
        const seconds = (performance.now() - startedAt) / 1000;
        return {
          cpuPercent: ((endCpu - startCpu) / seconds) * 100,
          rssPeakBytes: Math.max(peak, endRss),
          rssEndBytes: endRss,
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
