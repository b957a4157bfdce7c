// Zaqar's retry policy as a schedule: immediate retries, minimum-delay retries, a backoff curve, then
// maximum-delay retries. The durable outbox asks it for the delay before each next attempt.

import { isJsonObject } from '../core/validation';
import type { JsonObject, JsonValue } from '../core/types';

/** Zaqar's defaults (common/consts.py). */
const DEFAULTS = {
  retries_with_no_delay: 3,
  minimum_delay_retries: 3,
  minimum_delay: 5,
  maximum_delay: 30,
  maximum_delay_retries: 3,
  retry_backoff_function: 'linear',
};
const LINEAR_INTERVAL = 5;

/** A resolved retry policy. */
export type RetryPolicy = typeof DEFAULTS;

const int = (v: JsonValue | undefined, d: number) => (typeof v === 'number' && Number.isInteger(v) ? v : d);

/**
 * The policy that applies: the subscription's `_retry_policy` option, unless it is absent or either
 * policy sets ignore_subscription_override, in which case the queue's `_retry_policy`; missing fields
 * take Zaqar's defaults.
 */
export function resolveRetryPolicy(subscriptionOptions: JsonObject, queueMetadata: JsonObject): RetryPolicy {
  const sub = isJsonObject(subscriptionOptions._retry_policy) ? subscriptionOptions._retry_policy : {};
  const queue = isJsonObject(queueMetadata._retry_policy) ? queueMetadata._retry_policy : {};
  const ignore = sub.ignore_subscription_override === true || queue.ignore_subscription_override === true;
  const chosen = ignore ? queue : Object.keys(sub).length > 0 ? sub : queue;
  const fn = chosen.retry_backoff_function;
  return {
    retries_with_no_delay: int(chosen.retries_with_no_delay, DEFAULTS.retries_with_no_delay),
    minimum_delay_retries: int(chosen.minimum_delay_retries, DEFAULTS.minimum_delay_retries),
    minimum_delay: int(chosen.minimum_delay, DEFAULTS.minimum_delay),
    maximum_delay: int(chosen.maximum_delay, DEFAULTS.maximum_delay),
    maximum_delay_retries: int(chosen.maximum_delay_retries, DEFAULTS.maximum_delay_retries),
    retry_backoff_function: typeof fn === 'string' ? fn : DEFAULTS.retry_backoff_function,
  };
}

/** The backoff phase's delays in seconds, as Zaqar's four functions compute them. */
export function backoffDelays(fn: string, min: number, max: number, step = LINEAR_INTERVAL): number[] {
  const xMax = Math.floor((max - min) / step);
  const xs = Array.from({ length: Math.max(0, xMax) }, (_, i) => i + 1);
  if (fn === 'linear' || xMax < 2 || min <= 0) {
    const out: number[] = [];
    for (let d = min; d < max; d += step) out.push(d);
    return out;
  }
  const k = 10 ** (Math.log10(max / min) / (xMax - 1));
  if (fn === 'geometric') return xs.map((a) => Math.floor(min * k ** (a - 1)));
  if (fn === 'exponential') return xs.map((a) => Math.floor((min / k) * k ** a));
  const d = (2 * (max - min)) / (xMax * (xMax - 1));
  return xs.map((a) => Math.floor(min + ((a - 1) * a * d) / 2));
}

/** Every retry's delay in seconds, in order: the whole schedule after the first attempt. */
export function retrySchedule(policy: RetryPolicy): number[] {
  return [
    ...Array<number>(Math.max(0, policy.retries_with_no_delay)).fill(0),
    ...Array<number>(Math.max(0, policy.minimum_delay_retries)).fill(policy.minimum_delay),
    ...backoffDelays(policy.retry_backoff_function, policy.minimum_delay, policy.maximum_delay),
    ...Array<number>(Math.max(0, policy.maximum_delay_retries)).fill(policy.maximum_delay),
  ];
}

/** Seconds to wait after `failures` failed attempts, or undefined when the policy is exhausted. */
export function nextRetryDelay(policy: RetryPolicy, failures: number): number | undefined {
  const schedule = retrySchedule(policy);
  return failures >= 1 && failures <= schedule.length ? schedule[failures - 1] : undefined;
}
