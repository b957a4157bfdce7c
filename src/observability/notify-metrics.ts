// Prometheus metrics of notification delivery: attempts and outcomes by kind, and delivery lag.

import { Counter, Histogram, type Registry } from 'prom-client';
import type { DeliveryMetrics } from '../notify/worker';

/** Registers the delivery metrics on a registry. */
export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const attempts = new Counter({
    name: 'qgate_notification_attempts_total',
    help: 'Delivery attempts, by kind (webhook, email, websocket).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'qgate_notification_outcomes_total',
    help: 'Delivery attempt outcomes (delivered, retry, failed), by kind.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'qgate_notification_lag_seconds',
    help: 'Time from recording a delivery to its settled attempt, in seconds, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800],
    registers: [registry],
  });
  return {
    attempted(kind) {
      attempts.inc({ kind });
    },
    settled(kind, outcome, lagSeconds) {
      outcomes.inc({ kind, outcome });
      if (outcome !== 'retry') lag.observe({ kind }, Math.max(0, lagSeconds));
    },
  };
}
