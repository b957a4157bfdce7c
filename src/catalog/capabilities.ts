// What each store kind offers, named as Zaqar's storage capabilities (shown on flavors).

const BY_KIND: Record<string, string[]> = {
  memory: ['FIFO', 'CLAIMS', 'AOD', 'HIGH_THROUGHPUT'],
  redis: ['FIFO', 'CLAIMS', 'AOD', 'HIGH_THROUGHPUT'],
  mongodb: ['FIFO', 'CLAIMS', 'DURABILITY', 'AOD', 'HIGH_THROUGHPUT'],
};

/** The capabilities every one of these driver kinds has (a flavor offers only what all its pools do). */
export function capabilitiesOf(kinds: string[]): string[] {
  if (kinds.length === 0) return [];
  return (BY_KIND[kinds[0]] ?? []).filter((cap) => kinds.every((k) => (BY_KIND[k] ?? []).includes(cap)));
}
