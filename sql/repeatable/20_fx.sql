-- Repeatable SQL (docs/migrations.md): the current definition of these views and functions.
-- migrate drops and re-creates every object of sql/repeatable/ when a file here or a versioned
-- migration changed; edit in place, never copy into a numbered migration.

-- Currency normalization: one daily rate per pair and day, monthly/annual averages, a lookup
-- with an explicit policy, conversion functions, and every monetary trade observation in USD,
-- JPY and CNY. src/fx/policy.ts states the same policy in words; this file is the computation.
--
-- Policy (keep in step with src/fx/policy.ts):
-- * Source preference: frb.h10 (the Federal Reserve's own download) over frb.fred (FRED's
--   republication of the same noon buying rates) when both have a day; any other dataset after.
--   The order is the rows of fx.dataset_preference, which migrate writes from DATASET_PREFERENCE
--   of src/fx/policy.ts (one list); each view below joins it.
-- * A dated value converts at that day's rate; when the day has none (ND, weekend, holiday) at
--   the previous day that has one, at most 7 days back; the date used is returned.
-- * A monthly value (M) converts at the month's mean of daily rates, when the loaded days cover
--   the month (first loaded day within 4 days of the 1st, last within 4 days of the month end);
--   otherwise at the published monthly average where one is loaded; otherwise not at all.
--   Annual (A) the same with the year (mean of all business days of the year). Fiscal year (FY,
--   April–March) at the mean of its 12 monthly rates; half year (H) of its 6; year to date
--   (YTD, YYYY-01..YYYY-MM) of its months. A period rate needs every month of the period.
-- * Cross rates go through the dollar on the same date or period:
--   CNY per JPY = (CNY per USD) / (JPY per USD); an inverse is 1 / rate.
-- Rates stay in the direction the source publishes them (fx.rate.base/quote); the pair
-- arithmetic is done once, in fx.pair_rate, from the published values (one division at most).

-- Days ---------------------------------------------------------------------------------------

CREATE VIEW fx.daily AS
SELECT DISTINCT ON (r.base, r.quote, r.date)
       r.base, r.quote, r.date, r.rate, r.series, r.dataset, r.release_id, r.published_on
FROM fx.rate r
LEFT JOIN fx.dataset_preference pref ON pref.dataset = r.dataset
WHERE r.frequency = 'D'
ORDER BY r.base, r.quote, r.date,
         pref.preference NULLS LAST,
         r.release_id DESC, r.series;
COMMENT ON VIEW fx.daily IS 'One current daily rate per currency pair (as published) and day: the H.10 series (frb.h10) where loaded, else FRED''s republication (frb.fred). Days without a rate (ND, weekends) have no row.';
COMMENT ON COLUMN fx.daily.base IS 'Currency priced (one unit of it): USD for yen per dollar, EUR for dollars per euro.';
COMMENT ON COLUMN fx.daily.quote IS 'Currency the rate is in.';
COMMENT ON COLUMN fx.daily.date IS 'Business day of the noon buying rate in New York.';
COMMENT ON COLUMN fx.daily.rate IS 'Units of quote per one unit of base, as published.';
COMMENT ON COLUMN fx.daily.series IS 'Series the rate comes from: RXI_N.B.JA (H.10) or DEXJPUS (FRED)…';
COMMENT ON COLUMN fx.daily.dataset IS 'Dataset the rate comes from: frb.h10 preferred over frb.fred.';
COMMENT ON COLUMN fx.daily.release_id IS 'Release (vintage) the rate comes from.';
COMMENT ON COLUMN fx.daily.published_on IS 'Publication date of that release.';

CREATE VIEW fx.usd_daily AS
SELECT DISTINCT ON (u.currency, u.date)
       u.currency, u.date, u.per_usd, u.rate, u.inverted, u.series, u.dataset, u.release_id
FROM (
  SELECT d.quote AS currency, d.date, d.rate AS per_usd, d.rate, false AS inverted, d.series, d.dataset, d.release_id
  FROM fx.daily d WHERE d.base = 'USD' AND d.quote <> 'USD'
  UNION ALL
  SELECT d.base, d.date, 1 / d.rate, d.rate, true, d.series, d.dataset, d.release_id
  FROM fx.daily d WHERE d.quote = 'USD' AND d.base <> 'USD'
) u
LEFT JOIN fx.dataset_preference pref ON pref.dataset = u.dataset
ORDER BY u.currency, u.date, pref.preference NULLS LAST, u.inverted, u.series;
COMMENT ON VIEW fx.usd_daily IS 'Each currency''s daily rate against the US dollar (the leg every conversion goes through), from fx.daily, whichever direction the source publishes.';
COMMENT ON COLUMN fx.usd_daily.currency IS 'The non-dollar currency (ISO 4217).';
COMMENT ON COLUMN fx.usd_daily.date IS 'Business day.';
COMMENT ON COLUMN fx.usd_daily.per_usd IS 'Units of currency per one US dollar (1 / rate for series published as dollars per unit).';
COMMENT ON COLUMN fx.usd_daily.rate IS 'The rate as published by the series (see inverted).';
COMMENT ON COLUMN fx.usd_daily.inverted IS 'True when the series publishes dollars per unit of the currency (RXI$US_…, DEXUSEU), so per_usd = 1 / rate.';
COMMENT ON COLUMN fx.usd_daily.series IS 'Series the rate comes from.';
COMMENT ON COLUMN fx.usd_daily.dataset IS 'Dataset the rate comes from.';
COMMENT ON COLUMN fx.usd_daily.release_id IS 'Release (vintage) the rate comes from.';

-- Pair arithmetic ----------------------------------------------------------------------------

CREATE FUNCTION fx.pair_rate(base text, base_rate numeric, base_inverted boolean,
                             quote text, quote_rate numeric, quote_inverted boolean)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN $1 = $4 THEN 1::numeric
    WHEN ($1 <> 'USD' AND $2 IS NULL) OR ($4 <> 'USD' AND $5 IS NULL) THEN NULL
    ELSE (
      SELECT CASE WHEN x.den = 1 THEN x.num ELSE trim_scale(x.num / x.den) END
      FROM (SELECT
              (CASE WHEN $4 = 'USD' OR $6 THEN 1 ELSE $5 END) * (CASE WHEN $1 <> 'USD' AND $3 THEN $2 ELSE 1 END) AS num,
              (CASE WHEN $4 <> 'USD' AND $6 THEN $5 ELSE 1 END) * (CASE WHEN $1 = 'USD' OR $3 THEN 1 ELSE $2 END) AS den) x)
  END
$$;
COMMENT ON FUNCTION fx.pair_rate(text, numeric, boolean, text, numeric, boolean) IS
  'Units of quote per one unit of base from the two currencies'' dollar legs as published (rate and whether the series is dollars per unit; a USD leg needs no rate): (quote per USD) / (base per USD), with one division at most. Null when a needed leg is missing; 1 for the same currency.';

CREATE FUNCTION fx.pair_series(base text, base_series text, base_inverted boolean,
                               quote text, quote_series text, quote_inverted boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN $1 = $4 THEN 'identity'
    WHEN ($1 <> 'USD' AND $2 IS NULL) OR ($4 <> 'USD' AND $5 IS NULL) THEN NULL
    WHEN $1 = 'USD' THEN CASE WHEN $6 THEN '1/' || $5 ELSE $5 END
    WHEN $4 = 'USD' THEN CASE WHEN $3 THEN $2 ELSE '1/' || $2 END
    ELSE (CASE WHEN $6 THEN '(1/' || $5 || ')' ELSE $5 END) || ' / ' || (CASE WHEN $3 THEN '(1/' || $2 || ')' ELSE $2 END)
  END
$$;
COMMENT ON FUNCTION fx.pair_series(text, text, boolean, text, text, boolean) IS
  'How a pair rate was formed from series, as a formula: RXI_N.B.JA (direct), 1/RXI_N.B.JA (inverse), RXI_N.B.CH / RXI_N.B.JA (cross through USD); identity for the same currency.';

-- Lookup and conversion ----------------------------------------------------------------------

CREATE FUNCTION fx.lookup(base text, quote text, on_date date, max_days_back integer DEFAULT 7)
RETURNS TABLE (rate numeric, date_used date, series text, dataset text)
LANGUAGE sql STABLE AS $$
  WITH args AS (
    SELECT upper(btrim($1)) AS b, upper(btrim($2)) AS q, $3 AS d, greatest(coalesce($4, 7), 0) AS n
  ),
  legs AS (
    SELECT u.currency, u.date, u.rate, u.inverted, u.series, u.dataset
    FROM fx.usd_daily u
    WHERE u.currency IN (upper(btrim($1)), upper(btrim($2)))
      AND u.date BETWEEN $3 - greatest(coalesce($4, 7), 0) AND $3
  ),
  best AS (
    SELECT (a.d - k.k) AS day,
           lb.rate AS b_rate, lb.inverted AS b_inv, lb.series AS b_series, lb.dataset AS b_dataset,
           lq.rate AS q_rate, lq.inverted AS q_inv, lq.series AS q_series, lq.dataset AS q_dataset
    FROM args a
    CROSS JOIN generate_series(0, a.n) AS k(k)
    LEFT JOIN legs lb ON lb.currency = a.b AND lb.date = a.d - k.k
    LEFT JOIN legs lq ON lq.currency = a.q AND lq.date = a.d - k.k
    WHERE a.b <> a.q
      AND (a.b = 'USD' OR lb.rate IS NOT NULL)
      AND (a.q = 'USD' OR lq.rate IS NOT NULL)
    ORDER BY k.k
    LIMIT 1
  )
  SELECT CASE WHEN a.b = a.q THEN 1::numeric ELSE fx.pair_rate(a.b, x.b_rate, x.b_inv, a.q, x.q_rate, x.q_inv) END,
         CASE WHEN a.b = a.q THEN a.d ELSE x.day END,
         CASE WHEN a.b = a.q THEN 'identity' ELSE fx.pair_series(a.b, x.b_series, x.b_inv, a.q, x.q_series, x.q_inv) END,
         CASE WHEN x.b_dataset IS NULL THEN x.q_dataset
              WHEN x.q_dataset IS NULL OR x.q_dataset = x.b_dataset THEN x.b_dataset
              ELSE least(x.b_dataset, x.q_dataset) || '+' || greatest(x.b_dataset, x.q_dataset) END
  FROM args a LEFT JOIN best x ON true
  WHERE a.d IS NOT NULL
$$;
COMMENT ON FUNCTION fx.lookup(text, text, date, integer) IS
  'Rate of quote per one unit of base on a date: that day''s rate, else the latest earlier day that has one, at most max_days_back (default 7) days back; both legs of a cross rate (through USD) come from the same day. Returns rate, date_used, series (a formula: RXI_N.B.JA, 1/RXI_N.B.JA, RXI_N.B.CH / RXI_N.B.JA) and dataset; a row of nulls when no day in the window has a rate. H.10 is preferred over FRED.';

CREATE FUNCTION fx.convert_detail(from_amount numeric, from_ccy text, to_ccy text, on_date date, max_days_back integer DEFAULT 7)
RETURNS TABLE (amount numeric, rate numeric, date_used date, series text, dataset text, note text)
LANGUAGE sql STABLE AS $$
  SELECT $1 * l.rate, l.rate, l.date_used, l.series, l.dataset,
         CASE
           WHEN l.rate IS NULL THEN 'no ' || upper($2) || '/' || upper($3) || ' rate on ' || $4 || ' or the ' || greatest(coalesce($5, 7), 0) || ' days before'
           WHEN l.series = 'identity' THEN 'same currency'
           WHEN l.date_used = $4 THEN 'rate of ' || $4
           ELSE 'rate of ' || l.date_used || ', the previous day with a rate: none on ' || $4 || ' (weekend, holiday or ND)'
         END
  FROM fx.lookup($2, $3, $4, $5) l
$$;
COMMENT ON FUNCTION fx.convert_detail(numeric, text, text, date, integer) IS
  'Converts from_amount from one currency to another at fx.lookup''s rate (same day, else the previous day with a rate, at most max_days_back days; cross rates through USD). Returns the converted amount, the rate, the date used, the series formula, the dataset and a note saying which day was used and why.';

CREATE FUNCTION fx.convert(amount numeric, from_ccy text, to_ccy text, on_date date, max_days_back integer DEFAULT 7)
RETURNS numeric LANGUAGE sql STABLE AS $$
  SELECT c.amount FROM fx.convert_detail($1, $2, $3, $4, $5) c
$$;
COMMENT ON FUNCTION fx.convert(numeric, text, text, date, integer) IS
  'The amount in to_ccy, converted at fx.lookup''s rate for on_date (see fx.convert_detail for the rate, date used and series). Null when no rate within max_days_back days.';

-- Months and years ---------------------------------------------------------------------------

CREATE VIEW fx.rate_monthly AS
WITH daily AS (
  SELECT d.base, d.quote, to_char(d.date, 'YYYY-MM') AS month,
         avg(d.rate) AS average_rate, count(*)::int AS days, min(d.date) AS first_date, max(d.date) AS last_date,
         string_agg(DISTINCT d.series, ',' ORDER BY d.series) AS daily_series,
         string_agg(DISTINCT d.dataset, ',' ORDER BY d.dataset) AS daily_dataset
  FROM fx.daily d
  GROUP BY d.base, d.quote, to_char(d.date, 'YYYY-MM')
),
published AS (
  SELECT DISTINCT ON (r.base, r.quote, r.period) r.base, r.quote, r.period AS month, r.rate, r.series, r.dataset
  FROM fx.rate r
  LEFT JOIN fx.dataset_preference pref ON pref.dataset = r.dataset
  WHERE r.frequency = 'M'
  ORDER BY r.base, r.quote, r.period, pref.preference NULLS LAST, r.release_id DESC, r.series
),
joined AS (
  SELECT coalesce(d.base, p.base) AS base, coalesce(d.quote, p.quote) AS quote, coalesce(d.month, p.month) AS month,
         d.average_rate, coalesce(d.days, 0) AS days, d.first_date, d.last_date,
         coalesce(d.first_date <= to_date(d.month, 'YYYY-MM') + 4
                  AND d.last_date >= (to_date(d.month, 'YYYY-MM') + interval '1 month')::date - 5, false) AS complete,
         d.daily_series, d.daily_dataset,
         p.rate AS published_rate, p.series AS published_series, p.dataset AS published_dataset
  FROM daily d
  FULL JOIN published p ON p.base = d.base AND p.quote = d.quote AND p.month = d.month
)
SELECT j.base, j.quote, j.month,
       CASE WHEN j.complete THEN j.average_rate ELSE j.published_rate END AS rate,
       CASE WHEN j.complete THEN 'mean of ' || j.days || ' daily rates'
            WHEN j.published_rate IS NOT NULL THEN 'published monthly average' END AS rate_basis,
       CASE WHEN j.complete THEN j.daily_series ELSE j.published_series END AS series,
       CASE WHEN j.complete THEN j.daily_dataset ELSE j.published_dataset END AS dataset,
       j.average_rate, j.days, j.first_date, j.last_date, j.complete, j.daily_series, j.daily_dataset,
       j.published_rate, j.published_series, j.published_dataset
FROM joined j;
COMMENT ON VIEW fx.rate_monthly IS 'Monthly exchange rates per pair (as published): the mean of the month''s business-day rates from fx.daily (ND days excluded) with the number of days, and the published monthly average where one is loaded (H.10 RXI_N.M.*, FRED EX*). rate is what conversions use: the mean when the month is covered, else the published average.';
COMMENT ON COLUMN fx.rate_monthly.base IS 'Currency priced (one unit of it).';
COMMENT ON COLUMN fx.rate_monthly.quote IS 'Currency the rate is in.';
COMMENT ON COLUMN fx.rate_monthly.month IS 'Month, YYYY-MM.';
COMMENT ON COLUMN fx.rate_monthly.rate IS 'The month''s rate for conversions: average_rate when complete, else published_rate, else null.';
COMMENT ON COLUMN fx.rate_monthly.rate_basis IS 'What rate is: ''mean of N daily rates'' or ''published monthly average''.';
COMMENT ON COLUMN fx.rate_monthly.series IS 'Series behind rate (comma-separated when the days came from several).';
COMMENT ON COLUMN fx.rate_monthly.dataset IS 'Dataset(s) behind rate.';
COMMENT ON COLUMN fx.rate_monthly.average_rate IS 'Mean of the loaded business-day rates of the month (full precision; H.10 rounds its published averages to 4 decimals).';
COMMENT ON COLUMN fx.rate_monthly.days IS 'Number of daily rates averaged (days without a rate, ND, are not counted).';
COMMENT ON COLUMN fx.rate_monthly.first_date IS 'First day with a rate in the month.';
COMMENT ON COLUMN fx.rate_monthly.last_date IS 'Last day with a rate in the month.';
COMMENT ON COLUMN fx.rate_monthly.complete IS 'True when the loaded days cover the month: the first within 4 days of the 1st and the last within 4 days of the month end. A partial month is not used for conversions.';
COMMENT ON COLUMN fx.rate_monthly.daily_series IS 'Series of the daily rates averaged.';
COMMENT ON COLUMN fx.rate_monthly.daily_dataset IS 'Dataset(s) of the daily rates averaged.';
COMMENT ON COLUMN fx.rate_monthly.published_rate IS 'The monthly average as published (H.10 preferred over FRED), where loaded.';
COMMENT ON COLUMN fx.rate_monthly.published_series IS 'Series of the published average: RXI_N.M.JA, EXJPUS…';
COMMENT ON COLUMN fx.rate_monthly.published_dataset IS 'Dataset of the published average.';

CREATE VIEW fx.rate_annual AS
WITH daily AS (
  SELECT d.base, d.quote, to_char(d.date, 'YYYY') AS year,
         avg(d.rate) AS average_rate, count(*)::int AS days, min(d.date) AS first_date, max(d.date) AS last_date,
         count(DISTINCT date_trunc('month', d.date))::int AS months,
         string_agg(DISTINCT d.series, ',' ORDER BY d.series) AS daily_series,
         string_agg(DISTINCT d.dataset, ',' ORDER BY d.dataset) AS daily_dataset
  FROM fx.daily d
  GROUP BY d.base, d.quote, to_char(d.date, 'YYYY')
),
published AS (
  SELECT DISTINCT ON (r.base, r.quote, r.period) r.base, r.quote, r.period AS year, r.rate, r.series, r.dataset
  FROM fx.rate r
  LEFT JOIN fx.dataset_preference pref ON pref.dataset = r.dataset
  WHERE r.frequency = 'A'
  ORDER BY r.base, r.quote, r.period, pref.preference NULLS LAST, r.release_id DESC, r.series
),
joined AS (
  SELECT coalesce(d.base, p.base) AS base, coalesce(d.quote, p.quote) AS quote, coalesce(d.year, p.year) AS year,
         d.average_rate, coalesce(d.days, 0) AS days, d.first_date, d.last_date,
         coalesce(d.months = 12
                  AND d.first_date <= to_date(d.year || '-01-05', 'YYYY-MM-DD')
                  AND d.last_date >= to_date(d.year || '-12-27', 'YYYY-MM-DD'), false) AS complete,
         d.daily_series, d.daily_dataset,
         p.rate AS published_rate, p.series AS published_series, p.dataset AS published_dataset
  FROM daily d
  FULL JOIN published p ON p.base = d.base AND p.quote = d.quote AND p.year = d.year
)
SELECT j.base, j.quote, j.year,
       CASE WHEN j.complete THEN j.average_rate ELSE j.published_rate END AS rate,
       CASE WHEN j.complete THEN 'mean of ' || j.days || ' daily rates'
            WHEN j.published_rate IS NOT NULL THEN 'published annual average' END AS rate_basis,
       CASE WHEN j.complete THEN j.daily_series ELSE j.published_series END AS series,
       CASE WHEN j.complete THEN j.daily_dataset ELSE j.published_dataset END AS dataset,
       j.average_rate, j.days, j.first_date, j.last_date, j.complete, j.daily_series, j.daily_dataset,
       j.published_rate, j.published_series, j.published_dataset
FROM joined j;
COMMENT ON VIEW fx.rate_annual IS 'Calendar-year exchange rates per pair (as published): the mean of the year''s business-day rates (ND days excluded) with the number of days, and the published annual average where loaded. This is the Federal Reserve''s kind of annual average (2024: 151.46 yen per dollar), not MOF''s customs-basis average (150.97).';
COMMENT ON COLUMN fx.rate_annual.base IS 'Currency priced (one unit of it).';
COMMENT ON COLUMN fx.rate_annual.quote IS 'Currency the rate is in.';
COMMENT ON COLUMN fx.rate_annual.year IS 'Calendar year, YYYY.';
COMMENT ON COLUMN fx.rate_annual.rate IS 'The year''s rate for conversions: average_rate when complete, else published_rate, else null.';
COMMENT ON COLUMN fx.rate_annual.rate_basis IS 'What rate is: ''mean of N daily rates'' or ''published annual average''.';
COMMENT ON COLUMN fx.rate_annual.series IS 'Series behind rate.';
COMMENT ON COLUMN fx.rate_annual.dataset IS 'Dataset(s) behind rate.';
COMMENT ON COLUMN fx.rate_annual.average_rate IS 'Mean of the loaded business-day rates of the year (full precision).';
COMMENT ON COLUMN fx.rate_annual.days IS 'Number of daily rates averaged.';
COMMENT ON COLUMN fx.rate_annual.first_date IS 'First day with a rate in the year.';
COMMENT ON COLUMN fx.rate_annual.last_date IS 'Last day with a rate in the year.';
COMMENT ON COLUMN fx.rate_annual.complete IS 'True when all 12 months have rates, the first day is on or before Jan 5 and the last on or after Dec 27.';
COMMENT ON COLUMN fx.rate_annual.daily_series IS 'Series of the daily rates averaged.';
COMMENT ON COLUMN fx.rate_annual.daily_dataset IS 'Dataset(s) of the daily rates averaged.';
COMMENT ON COLUMN fx.rate_annual.published_rate IS 'The annual average as published (H.10 RXI_N.A.*, FRED AEX*), where loaded.';
COMMENT ON COLUMN fx.rate_annual.published_series IS 'Series of the published average.';
COMMENT ON COLUMN fx.rate_annual.published_dataset IS 'Dataset of the published average.';

-- Dollar legs per period ---------------------------------------------------------------------

CREATE VIEW fx.usd_period AS
WITH m AS (
  -- One pass over the months: the dollar leg of each non-dollar currency, direct series first.
  SELECT DISTINCT ON (1, 2)
         CASE WHEN rm.base = 'USD' THEN rm.quote ELSE rm.base END AS currency, rm.month, rm.rate,
         rm.base <> 'USD' AS inverted, rm.series, rm.dataset, rm.rate_basis
  FROM fx.rate_monthly rm
  WHERE (rm.base = 'USD') <> (rm.quote = 'USD') AND rm.rate IS NOT NULL
  ORDER BY 1, 2, 4
),
a AS (
  SELECT DISTINCT ON (1, 2)
         CASE WHEN ra.base = 'USD' THEN ra.quote ELSE ra.base END AS currency, ra.year, ra.rate,
         ra.base <> 'USD' AS inverted, ra.series, ra.dataset, ra.rate_basis
  FROM fx.rate_annual ra
  WHERE (ra.base = 'USD') <> (ra.quote = 'USD') AND ra.rate IS NOT NULL
  ORDER BY 1, 2, 4
),
groups AS (
  -- Fiscal years (April–March) and half years, each as a set of months.
  SELECT m.*, 'FY' AS frequency,
         'FY' || (substr(m.month, 1, 4)::int - CASE WHEN substr(m.month, 6, 2)::int < 4 THEN 1 ELSE 0 END) AS period,
         12 AS needed
  FROM m
  UNION ALL
  SELECT m.*, 'H', substr(m.month, 1, 4) || CASE WHEN substr(m.month, 6, 2)::int <= 6 THEN 'H1' ELSE 'H2' END, 6
  FROM m
),
ytd AS (
  -- Years to date: running mean from January; complete when no month is missing.
  SELECT m.currency, m.inverted, m.month,
         avg(m.rate) OVER w AS rate, count(*) OVER w AS months,
         min(m.series) OVER w AS series_lo, max(m.series) OVER w AS series_hi,
         min(m.dataset) OVER w AS dataset_lo, max(m.dataset) OVER w AS dataset_hi
  FROM m
  WINDOW w AS (PARTITION BY m.currency, m.inverted, substr(m.month, 1, 4) ORDER BY m.month ROWS UNBOUNDED PRECEDING)
)
SELECT m.currency, 'M'::text AS frequency, m.month AS period, m.rate, m.inverted, m.series, m.dataset,
       m.rate_basis, m.month AS period_used
FROM m
UNION ALL
SELECT a.currency, 'A', a.year, a.rate, a.inverted, a.series, a.dataset, a.rate_basis, a.year
FROM a
UNION ALL
SELECT g.currency, g.frequency, g.period, avg(g.rate), g.inverted,
       string_agg(DISTINCT g.series, ',' ORDER BY g.series), string_agg(DISTINCT g.dataset, ',' ORDER BY g.dataset),
       'mean of ' || count(*) || ' monthly rates', min(g.month) || '..' || max(g.month)
FROM groups g
GROUP BY g.currency, g.frequency, g.period, g.inverted, g.needed
HAVING count(*) = g.needed
UNION ALL
SELECT y.currency, 'YTD', substr(y.month, 1, 4) || '-01..' || y.month, y.rate, y.inverted,
       CASE WHEN y.series_lo = y.series_hi THEN y.series_lo ELSE y.series_lo || ',' || y.series_hi END,
       CASE WHEN y.dataset_lo = y.dataset_hi THEN y.dataset_lo ELSE y.dataset_lo || ',' || y.dataset_hi END,
       'mean of ' || y.months || ' monthly rates', substr(y.month, 1, 4) || '-01..' || y.month
FROM ytd y
WHERE y.months = substr(y.month, 6, 2)::int;
COMMENT ON VIEW fx.usd_period IS 'Each currency''s rate against the US dollar for a whole period, as conversions of period values use it: month (M) and calendar year (A) from fx.rate_monthly / fx.rate_annual; fiscal year (FY, April–March), half year (H) and year to date (YTD, YYYY-01..YYYY-MM) as the mean of their monthly rates, only when every month has one.';
COMMENT ON COLUMN fx.usd_period.currency IS 'The non-dollar currency.';
COMMENT ON COLUMN fx.usd_period.frequency IS 'M, A, FY, H or YTD — the frequency of trade.observation it serves; A and FY never mix.';
COMMENT ON COLUMN fx.usd_period.period IS 'Period in trade.observation''s notation: 2024-10, 2024, FY2024, 2024H1, 2024-01..2024-11.';
COMMENT ON COLUMN fx.usd_period.rate IS 'The period rate in the series'' published direction (see inverted).';
COMMENT ON COLUMN fx.usd_period.inverted IS 'True when the series is dollars per unit of the currency.';
COMMENT ON COLUMN fx.usd_period.series IS 'Series behind the rate.';
COMMENT ON COLUMN fx.usd_period.dataset IS 'Dataset(s) behind the rate.';
COMMENT ON COLUMN fx.usd_period.rate_basis IS 'How the rate was formed: mean of N daily rates, published monthly/annual average, mean of N monthly rates.';
COMMENT ON COLUMN fx.usd_period.period_used IS 'The months or year the rate covers: 2024-10, 2024, 2024-04..2025-03.';

-- Trade observations in USD, JPY and CNY -----------------------------------------------------

CREATE VIEW fx.observation_converted AS
WITH obs AS (
  SELECT o.* FROM trade.observation o WHERE o.unit IN ('JPY', 'USD')
),
legs AS MATERIALIZED (
  -- Computed once for both legs (period averages are the expensive part).
  SELECT * FROM fx.usd_period WHERE currency IN ('JPY', 'CNY')
),
targets (to_currency) AS (VALUES ('USD'), ('JPY'), ('CNY')),
periodic AS (
  SELECT o.dataset, o.reporter, o.partner, o.flow, o.period, o.frequency, o.classification,
         o.commodity_code, o.commodity_label, o.measure, o.basis, o.release_id, o.value, o.unit AS from_currency,
         t.to_currency,
         fx.pair_rate(o.unit, b.rate, b.inverted, t.to_currency, q.rate, q.inverted) AS rate,
         fx.pair_series(o.unit, b.series, b.inverted, t.to_currency, q.series, q.inverted) AS rate_series,
         CASE WHEN o.unit = t.to_currency THEN NULL
              WHEN b.dataset IS NULL THEN q.dataset
              WHEN q.dataset IS NULL OR q.dataset = b.dataset THEN b.dataset
              ELSE least(b.dataset, q.dataset) || '+' || greatest(b.dataset, q.dataset) END AS rate_dataset,
         CASE WHEN o.unit = t.to_currency THEN 'same currency'
              ELSE concat_ws('; ', q.currency || ': ' || q.rate_basis, b.currency || ': ' || b.rate_basis) END AS rate_basis,
         CASE WHEN o.unit = t.to_currency THEN NULL ELSE coalesce(q.period_used, b.period_used) END AS rate_period
  FROM obs o
  CROSS JOIN targets t
  LEFT JOIN legs b ON o.unit <> 'USD' AND b.currency = o.unit AND b.frequency = o.frequency AND b.period = o.period
  LEFT JOIN legs q ON t.to_currency <> 'USD' AND q.currency = t.to_currency AND q.frequency = o.frequency AND q.period = o.period
  WHERE o.frequency <> 'D'
),
daily AS (
  SELECT o.dataset, o.reporter, o.partner, o.flow, o.period, o.frequency, o.classification,
         o.commodity_code, o.commodity_label, o.measure, o.basis, o.release_id, o.value, o.unit AS from_currency,
         t.to_currency, l.rate, l.series AS rate_series, CASE WHEN o.unit = t.to_currency THEN NULL ELSE l.dataset END AS rate_dataset,
         CASE WHEN o.unit = t.to_currency THEN 'same currency'
              WHEN l.rate IS NULL THEN NULL
              WHEN l.date_used = o.period::date THEN 'rate of the day'
              ELSE 'previous day with a rate (none on ' || o.period || ')' END AS rate_basis,
         CASE WHEN o.unit = t.to_currency THEN NULL ELSE l.date_used::text END AS rate_period
  FROM obs o
  CROSS JOIN targets t
  CROSS JOIN LATERAL fx.lookup(o.unit, t.to_currency, o.period::date) l
  WHERE o.frequency = 'D'
)
SELECT p.*, p.value * p.rate AS converted_value FROM periodic p
UNION ALL
SELECT d.*, d.value * d.rate FROM daily d;
COMMENT ON VIEW fx.observation_converted IS 'Every monetary trade observation (unit JPY or USD) also in USD, JPY and CNY, one row per target currency: monthly values at the month''s average rate, calendar years at the annual average, fiscal years (April–March) at the mean of their 12 monthly rates, half years / years to date at the mean of their months, dated values at the day''s rate (else the previous day with one, at most 7 days back). Cross rates go through USD. converted_value is null when the rate is not available (e.g. a month whose rates are not all loaded). Rates are Federal Reserve H.10 noon rates (FRED where H.10 is not loaded), not MOF''s customs rates.';
COMMENT ON COLUMN fx.observation_converted.dataset IS 'Dataset of the trade observation.';
COMMENT ON COLUMN fx.observation_converted.reporter IS 'Reporting country (ISO alpha-2).';
COMMENT ON COLUMN fx.observation_converted.partner IS 'Partner (ISO alpha-2, WORLD, or <scheme>:<code>).';
COMMENT ON COLUMN fx.observation_converted.flow IS 'export, import or balance.';
COMMENT ON COLUMN fx.observation_converted.period IS 'Period of the observation.';
COMMENT ON COLUMN fx.observation_converted.frequency IS 'M, A, FY, H, YTD or D; decides which rate is used.';
COMMENT ON COLUMN fx.observation_converted.classification IS 'Commodity classification.';
COMMENT ON COLUMN fx.observation_converted.commodity_code IS 'Commodity code (text).';
COMMENT ON COLUMN fx.observation_converted.commodity_label IS 'Source''s commodity label.';
COMMENT ON COLUMN fx.observation_converted.measure IS 'Measure of the observation (value for money).';
COMMENT ON COLUMN fx.observation_converted.basis IS 'Valuation basis of the observation (FOB, CIF, general imports…).';
COMMENT ON COLUMN fx.observation_converted.release_id IS 'Release (vintage) the observation comes from.';
COMMENT ON COLUMN fx.observation_converted.value IS 'The observation''s value in from_currency, as loaded.';
COMMENT ON COLUMN fx.observation_converted.from_currency IS 'Currency of value (the observation''s unit): JPY or USD.';
COMMENT ON COLUMN fx.observation_converted.to_currency IS 'Currency converted to: USD, JPY or CNY (a row per target; the same currency gives rate 1).';
COMMENT ON COLUMN fx.observation_converted.rate IS 'Units of to_currency per one unit of from_currency.';
COMMENT ON COLUMN fx.observation_converted.rate_series IS 'Series formula of the rate: RXI_N.B.JA, 1/RXI_N.B.JA, RXI_N.B.CH / RXI_N.B.JA; comma-separated series when a period mixed several; identity for the same currency.';
COMMENT ON COLUMN fx.observation_converted.rate_dataset IS 'Dataset(s) of the rate: frb.h10, frb.fred, or both joined by +.';
COMMENT ON COLUMN fx.observation_converted.rate_basis IS 'How the rate was formed per currency leg: mean of N daily rates, published monthly average, mean of 12 monthly rates, rate of the day, previous day with a rate.';
COMMENT ON COLUMN fx.observation_converted.rate_period IS 'The month(s), year or date the rate is for: 2024-10, 2024, 2024-04..2025-03, 2025-04-18.';
COMMENT ON COLUMN fx.observation_converted.converted_value IS 'value × rate, in to_currency (full precision; round for display). Null when no rate.';
