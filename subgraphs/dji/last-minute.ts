/**
 * What the inspectorate calls a belongings change "at the last minute at departure": a
 * change made within the 24 hours before the planned departure. Measured in elapsed time,
 * so it does not depend on the clock, the time of day or a time zone.
 */

/** How long before the planned departure a change still counts as last-minute: 24 hours. */
export const LAST_MINUTE_WINDOW_MS = 24 * 3600_000;

/**
 * True when a change at `changedAt` lies in the window [departure - 24 h, departure] of the
 * planned departure (both ends included); false when no departure is planned or the change
 * was made after it.
 */
export function isLastMinuteChange(changedAt: Date, departureAt: Date | null): boolean {
  if (departureAt === null) return false;
  const before = departureAt.getTime() - changedAt.getTime();
  return before >= 0 && before <= LAST_MINUTE_WINDOW_MS;
}
