// Weighted choice: proportional to weight, never a weight-0 pool, nothing when no pool has weight.

import { selectWeighted } from '../../src/catalog/select';

describe('selectWeighted', () => {
  const pools = [
    { name: 'a', weight: 1 },
    { name: 'zero', weight: 0 },
    { name: 'b', weight: 3 },
  ];

  test('each point of the weight spectrum maps to its pool; weight 0 owns no point', () => {
    const picks = [0, 0.24, 0.25, 0.5, 0.99].map((r) => selectWeighted(pools, () => r)?.name);
    expect(picks).toEqual(['a', 'a', 'b', 'b', 'b']);
  });

  test('over many random draws the shares follow the weights', () => {
    const counts: Record<string, number> = { a: 0, b: 0, zero: 0 };
    for (let i = 0; i < 20000; i++) counts[(selectWeighted(pools) as { name: string }).name]++;
    expect(counts.zero).toBe(0);
    expect(counts.a / 20000).toBeGreaterThan(0.2);
    expect(counts.a / 20000).toBeLessThan(0.3);
  });

  test('no pool with weight gives undefined', () => {
    expect(selectWeighted([{ weight: 0 }])).toBeUndefined();
    expect(selectWeighted([])).toBeUndefined();
  });
});
