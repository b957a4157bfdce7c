// /metrics of a cluster: any worker answers with every worker's metrics, aggregated by prom-client in the primary.
//
// A scrape lands on whichever worker the primary hands the connection to; without aggregation each scrape
// would see one worker's counters and they would jump between scrapes. The worker asks the primary, the
// primary collects every worker's registry (prom-client's AggregatorRegistry, over the same IPC channel)
// and sends back the text. If the primary does not answer in time, the worker serves its own metrics.

import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** How long a worker waits for the aggregate before serving its own registry. */
const AGGREGATE_TIMEOUT_MS = 5000;

/** Worker → primary: aggregate, please. */
interface MetricsRequest {
  qgate: 'metrics';
  seq: number;
}

/** Primary → worker: the aggregate, or why there is none. */
interface MetricsAnswer {
  qgate: 'metrics-text';
  seq: number;
  text?: string;
  error?: string;
}

function isMetricsMessage(message: unknown, kind: 'metrics' | 'metrics-text'): boolean {
  return typeof message === 'object' && message !== null && (message as { qgate?: unknown }).qgate === kind;
}

/**
 * In a worker: makes `registry` the one the primary collects, and returns the exposition GET /metrics
 * should serve (the cluster's aggregate).
 */
export function workerExposition(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's collection requests.
  new AggregatorRegistry();
  let seq = 0;
  const waiting = new Map<number, (answer: MetricsAnswer) => void>();
  process.on('message', (message: unknown) => {
    if (!isMetricsMessage(message, 'metrics-text')) return;
    const answer = message as MetricsAnswer;
    waiting.get(answer.seq)?.(answer);
  });
  return () =>
    new Promise<string>((resolve) => {
      const id = ++seq;
      const own = () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(registry.metrics());
      };
      const timer = setTimeout(own, AGGREGATE_TIMEOUT_MS);
      timer.unref();
      waiting.set(id, (answer) => {
        if (answer.text === undefined) {
          own();
          return;
        }
        clearTimeout(timer);
        waiting.delete(id);
        resolve(answer.text);
      });
      if (!process.connected || !process.send) {
        own();
        return;
      }
      try {
        process.send({ qgate: 'metrics', seq: id } satisfies MetricsRequest);
      } catch {
        own();
      }
    });
}

/** In the primary: answers the workers' aggregate requests. */
export function servePrimaryMetrics(): (worker: Worker, message: unknown) => boolean {
  if (!cluster.isPrimary) throw new Error('servePrimaryMetrics runs in the cluster primary');
  const aggregator = new AggregatorRegistry();
  return (worker, message) => {
    if (!isMetricsMessage(message, 'metrics')) return false;
    const { seq } = message as MetricsRequest;
    const reply = (answer: MetricsAnswer) => {
      if (worker.isConnected()) worker.send(answer);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ qgate: 'metrics-text', seq, text }),
      (err: Error) => reply({ qgate: 'metrics-text', seq, error: err.message }),
    );
    return true;
  };
}
