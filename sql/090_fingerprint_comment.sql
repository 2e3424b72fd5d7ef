-- The fingerprint of a series is computed two ways since mof.hs_country's rows are unpivoted in
-- the database (pipelines/mof/hs-country-raw.ts): the table's comment of 080 described only the
-- per-observation one. Each way is only ever compared with fingerprints it wrote itself (a
-- dataset is loaded one way), and a mismatch costs a row-by-row comparison, never a lost change.
COMMENT ON TABLE etl.series_fingerprint IS 'Per series (trade.series.id): a fingerprint of its current observations in scope scope_id (trade.scope.id), as the loader staged them. Per-observation staging: sums h1 and h2 of two 32-bit hashes of period code, value and unit, and the count n. mof.hs_country (unpivoted in the database): the two 32-bit halves of one 64-bit hash of the unit and every figure of the series'' row as written, and n the number of periods. Revisions skip the row-by-row comparison of a series whose staged fingerprint equals this one.';
COMMENT ON COLUMN etl.series_fingerprint.h1 IS 'Sum of the first 32-bit hash over the observations (mof.hs_country: low half of the row hash).';
COMMENT ON COLUMN etl.series_fingerprint.h2 IS 'Sum of the second 32-bit hash over the observations (mof.hs_country: high half of the row hash).';
COMMENT ON COLUMN etl.series_fingerprint.n IS 'Number of observations (mof.hs_country: number of periods of the row).';
