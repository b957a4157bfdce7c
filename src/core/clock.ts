// The clock drivers read expiry against; tests inject a controllable one.

/** Returns the current time in epoch milliseconds. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();
