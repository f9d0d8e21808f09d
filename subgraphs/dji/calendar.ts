/**
 * Calendar days as the detention centres and the inspectorate count them: in Amsterdam.
 * "Changed on the day of departure" means the same Europe/Amsterdam calendar day, not the
 * same UTC day: a change at 00:30 Amsterdam time is on that day, although it is the
 * previous day in UTC.
 */

const HOUR_MS = 3600_000;

// One formatter for the process: creating Intl formatters is slow, and seeding 10,000
// persons asks for a day thousands of times. 'en-CA' formats as YYYY-MM-DD.
const AMSTERDAM_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Europe/Amsterdam calendar day of `moment` as YYYY-MM-DD. */
export function amsterdamDay(moment: Date): string {
  return AMSTERDAM_DAY.format(moment);
}

/** True when both moments fall on the same Europe/Amsterdam calendar day. */
export function sameAmsterdamDay(a: Date, b: Date): boolean {
  return amsterdamDay(a) === amsterdamDay(b);
}

/**
 * The first moment of the Europe/Amsterdam calendar day that holds `moment`.
 * Amsterdam is UTC+1 or UTC+2 and its clock changes at 02:00/03:00, never at midnight, so
 * the day starts at a whole UTC hour: the earliest whole hour around UTC midnight of that
 * date that is already on that day.
 */
export function startOfAmsterdamDay(moment: Date): Date {
  const day = amsterdamDay(moment);
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, date);
  for (let offsetHours = 14; offsetHours >= -12; offsetHours--) {
    const candidate = new Date(utcMidnight - offsetHours * HOUR_MS);
    if (amsterdamDay(candidate) === day) return candidate;
  }
  // Unreachable for a zone whose offset is whole hours within UTC-12..UTC+14.
  throw new Error('cannot find the start of the Amsterdam day');
}
