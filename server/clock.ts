/** All time comes from here, so a test can move it (invariant: the server's clock decides). */
export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests move by hand. */
export function manualClock(
  start = Date.UTC(2026, 0, 5, 9, 0, 0),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
