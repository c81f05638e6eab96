/**
 * The trading calendar the generator draws declaration dates from: weekdays vs weekends, the
 * national holidays, a mild monthly seasonality, and the Spring Festival (春节) — a week of almost
 * no declarations from New Year's Eve, a rush in the ten days before and a slow restart after.
 * Because the festival moves between late January and mid February, the dip lands in January in
 * some years and in February in others, as in real customs statistics.
 */

/** 春节 (first day of the lunar year), Gregorian dates. */
export const LUNAR_NEW_YEAR: Readonly<Record<number, string>> = {
  2015: '2015-02-19', 2016: '2016-02-08', 2017: '2017-01-28', 2018: '2018-02-16', 2019: '2019-02-05',
  2020: '2020-01-25', 2021: '2021-02-12', 2022: '2022-02-01', 2023: '2023-01-22', 2024: '2024-02-10',
  2025: '2025-01-29', 2026: '2026-02-17', 2027: '2027-02-06', 2028: '2028-01-26', 2029: '2029-02-13',
  2030: '2030-02-03',
};

/** Monthly seasonal index (before holidays), peaking in the autumn export season. */
const MONTH_INDEX = [1.0, 0.97, 1.0, 1.0, 1.01, 1.03, 1.02, 1.03, 1.06, 1.0, 1.08, 1.1];

const DAY_MS = 86_400_000;

export function dayNumber(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

export function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Relative declaration activity on a calendar day (1 = an ordinary weekday). */
export function dayWeight(day: number): number {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const dom = d.getUTCDate();
  const dow = d.getUTCDay();
  let w = dow === 0 ? 0.15 : dow === 6 ? 0.35 : 1;
  w *= MONTH_INDEX[m]!;
  if (m === 0 && dom === 1) w *= 0.3; // 元旦
  if (m === 4 && dom <= 5) w *= 0.55; // 劳动节
  if (m === 9 && dom <= 7) w *= 0.25; // 国庆
  const lny = LUNAR_NEW_YEAR[y];
  if (lny) {
    const off = day - dayNumber(lny);
    if (off >= -1 && off <= 5) w *= 0.12; // 除夕 … 初六
    else if (off >= -12 && off <= -2) w *= 1.18; // pre-holiday rush
    else if (off >= 6 && off <= 16) w *= 0.7; // slow restart
  }
  // the previous year's festival can reach into this January/February only through `y`
  return w;
}

export function lunarNewYear(year: number): string {
  const d = LUNAR_NEW_YEAR[year];
  if (!d) throw new RangeError(`no Spring Festival date on file for ${year} (have ${Object.keys(LUNAR_NEW_YEAR).join(', ')})`);
  return d;
}
