// Per-pool call metrics the Router records: count by outcome, and latency.

/** Where the Router reports each pool call (observability/pool-metrics implements it). */
export interface PoolCallMetrics {
  /** One driver call on a pool: operation name, outcome (ok, error, unavailable) and seconds taken. */
  record(pool: string, operation: string, outcome: string, seconds: number): void;
}
