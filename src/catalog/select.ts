// Weighted random choice of a pool, as Zaqar's select.weighted: weight 0 is never chosen.

/** Something with a weight. */
export interface Weighted {
  weight: number;
}

/**
 * Picks one item with probability proportional to its weight; undefined when no item has weight > 0.
 * @param random a source of numbers in [0, 1), injectable for tests
 */
export function selectWeighted<T extends Weighted>(items: T[], random: () => number = Math.random): T | undefined {
  let total = 0;
  for (const item of items) if (item.weight > 0) total += item.weight;
  if (total === 0) return undefined;
  let point = Math.floor(random() * total);
  for (const item of items) {
    if (item.weight <= 0) continue;
    if (point < item.weight) return item;
    point -= item.weight;
  }
  return undefined;
}
