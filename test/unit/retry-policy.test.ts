// Zaqar's retry policy as a schedule: phases, backoff functions, and which policy wins.

import { backoffDelays, nextRetryDelay, resolveRetryPolicy, retrySchedule } from '../../src/notify/retry-policy';

describe('retry policy', () => {
  test("Zaqar's defaults: 3 immediate, 3 at 5 s, linear 5..25, 3 at 30 s", () => {
    expect(retrySchedule(resolveRetryPolicy({}, {}))).toEqual([0, 0, 0, 5, 5, 5, 5, 10, 15, 20, 25, 30, 30, 30]);
  });

  test('the backoff functions give what Zaqar’s own functions give (values taken from zaqar 15)', () => {
    expect(backoffDelays('linear', 10, 30)).toEqual([10, 15, 20, 25]);
    expect(backoffDelays('geometric', 10, 30)).toEqual([10, 14, 20, 29]);
    expect(backoffDelays('exponential', 10, 30)).toEqual([10, 14, 20, 29]);
    expect(backoffDelays('arithmetic', 10, 30)).toEqual([10, 13, 20, 30]);
  });

  test('the subscription policy wins unless either says ignore_subscription_override', () => {
    const sub = { _retry_policy: { retries_with_no_delay: 1, minimum_delay_retries: 0, maximum_delay_retries: 0 } };
    const queue = { _retry_policy: { retries_with_no_delay: 5 } };
    expect(resolveRetryPolicy(sub, queue).retries_with_no_delay).toBe(1);
    expect(resolveRetryPolicy({}, queue).retries_with_no_delay).toBe(5);
    const forced = { _retry_policy: { retries_with_no_delay: 5, ignore_subscription_override: true } };
    expect(resolveRetryPolicy(sub, forced).retries_with_no_delay).toBe(5);
  });

  test('the delay after each failure, then exhaustion', () => {
    const policy = resolveRetryPolicy(
      {
        _retry_policy: {
          retries_with_no_delay: 1,
          minimum_delay_retries: 1,
          minimum_delay: 10,
          maximum_delay: 20,
          maximum_delay_retries: 1,
        },
      },
      {},
    );
    expect([1, 2, 3, 4, 5, 6].map((n) => nextRetryDelay(policy, n))).toEqual([0, 10, 10, 15, 20, undefined]);
  });
});
