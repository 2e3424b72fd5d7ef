-- Late releases (published before the newest release of their scope) now join the history at
-- their publication date instead of being set aside; `stale` is no longer written.
COMMENT ON COLUMN etl.release.status IS 'loading, loaded, failed (nothing of it is in trade/fx). A release published before the newest loaded release of its scope is loaded into the history at its publication date; current values stay those of the newer release. (stale: no longer used.)';

CREATE FUNCTION fx.rate_as_of(as_of date)
RETURNS TABLE (dataset text, series text, base text, quote text, frequency text, period text,
               rate numeric, release_id bigint, published_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT h.dataset, h.series, h.base, h.quote, h.frequency, h.period, h.rate,
         h.valid_from_release, r.published_on
  FROM fx.rate_history h
  JOIN etl.release r ON r.id = h.valid_from_release
  LEFT JOIN etl.release t ON t.id = h.valid_to_release
  WHERE r.published_on <= as_of
    AND (h.valid_to_release IS NULL OR t.published_on > as_of)
$$;
COMMENT ON FUNCTION fx.rate_as_of(date) IS 'Exchange rates as published on a date: each rate from the newest release published on or before that date.';
