/**
 * The currency-conversion policy, in words and constants, for docs, CLI output and checks.
 * sql/repeatable/20_fx.sql is the source of truth for the computation (fx.lookup, fx.convert,
 * fx.rate_monthly, fx.rate_annual, fx.usd_period, fx.observation_converted); the tests assert
 * that the SQL uses the same numbers as this file. DATASET_PREFERENCE is the one exception: the
 * SQL reads it (migrate writes it into fx.dataset_preference), so it is stated only here.
 */
import type { Frequency } from '../core/vocabulary.js';

/** A dated value with no rate on its day uses the previous day that has one, at most this many days back. */
export const MAX_DAYS_BACK = 7;

/**
 * Days of tolerance at each end of a month for its mean of daily rates to count as the
 * month's rate (the first business day can be the 4th, e.g. after New Year on a Friday).
 */
export const MONTH_EDGE_TOLERANCE_DAYS = 4;

/**
 * Source preference when several datasets publish the same pair and day (or period), best first.
 * migrate writes it into fx.dataset_preference, which the fx views read: change it here only.
 */
export const DATASET_PREFERENCE = ['frb.h10', 'frb.fred'] as const;

/** Currencies every monetary trade observation is also shown in (fx.observation_converted). */
export const CONVERSION_TARGETS = ['USD', 'JPY', 'CNY'] as const;

/** What each trade-observation frequency converts at. */
export const CONVERSION_BASIS: Readonly<Record<Frequency, string>> = {
  D: `the rate of the day; if the day has none (ND, weekend, US holiday), the previous day that has one, at most ${MAX_DAYS_BACK} days back — the date used is recorded`,
  M: 'the month\'s mean of business-day rates (when the loaded days cover the month), else the published monthly average',
  A: 'the calendar year\'s mean of business-day rates (when the loaded days cover the year), else the published annual average',
  FY: 'the mean of the 12 monthly rates of the Japanese fiscal year, April to March (never the calendar-year average)',
  H: 'the mean of the 6 monthly rates of the half year',
  YTD: 'the mean of the monthly rates from January to the last month of the period',
  MTD: 'not converted (a partial month, MOF\'s first 10 or 20 days: no rate for part of a month is defined)',
};

/** How a pair that is not published directly is formed. */
export const CROSS_RATE_RULE =
  'Cross rates go through the US dollar on the same day or period: CNY per JPY = (CNY per USD) / (JPY per USD); an inverse is 1 / rate.';

/** Which rates these are, so no one mistakes them for MOF's customs rates. */
export const RATE_SOURCE_NOTE =
  'Rates are the Federal Reserve H.10 noon buying rates in New York (FRED\'s republication where H.10 is not loaded). ' +
  'MOF\'s customs-basis averages (e.g. 150.97 yen per dollar for 2024) are a different series.';

/**
 * The whole policy as Markdown, for docs and `--help` texts.
 * @example console.log(describeConversionPolicy())
 */
export function describeConversionPolicy(): string {
  const lines = [
    '## Currency conversion policy',
    '',
    ...Object.entries(CONVERSION_BASIS).map(([f, text]) => `- **${f}**: ${text}.`),
    '',
    CROSS_RATE_RULE,
    '',
    `Where both publish a day, ${DATASET_PREFERENCE.join(' is preferred over ')}. ${RATE_SOURCE_NOTE}`,
    '',
    'SQL: `fx.lookup(base, quote, on_date, max_days_back)`, `fx.convert(amount, from, to, on_date)`, ' +
      '`fx.convert_detail(...)`, views `fx.daily`, `fx.rate_monthly`, `fx.rate_annual`, `fx.usd_period`, `fx.observation_converted`.',
  ];
  return lines.join('\n');
}
