-- Schemas and the core tables of DESIGN.md. Every table and column carries a COMMENT ON:
-- docs/data-dictionary.md is generated from these comments.

CREATE SCHEMA IF NOT EXISTS etl;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS trade;
CREATE SCHEMA IF NOT EXISTS fx;
CREATE SCHEMA IF NOT EXISTS metrics;
COMMENT ON SCHEMA etl IS 'Pipeline bookkeeping: releases fetched and loaded, runs, watermarks. Not for analysts.';
COMMENT ON SCHEMA ref IS 'Reference data: countries and their codes in each source, commodity groups, currencies.';
COMMENT ON SCHEMA trade IS 'Trade observations from every source, with their vintages.';
COMMENT ON SCHEMA fx IS 'Exchange rates with their vintages, averages and conversion helpers.';
COMMENT ON SCHEMA metrics IS 'Views analysts use: the article''s metrics and the claim check.';

-- etl.run ------------------------------------------------------------------------------------
CREATE TABLE etl.run (
  id          bigserial PRIMARY KEY,
  command     text NOT NULL,
  args        jsonb NOT NULL DEFAULT '{}'::jsonb,
  trigger     text NOT NULL CHECK (trigger IN ('cron', 'manual', 'backfill', 'schedule', 'retry')),
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'partial')),
  error       text,
  stats       jsonb NOT NULL DEFAULT '{}'::jsonb,
  retry_of    bigint REFERENCES etl.run (id)
);
COMMENT ON TABLE etl.run IS 'One row per command invocation (refresh, backfill, load, retry…) and its outcome.';
COMMENT ON COLUMN etl.run.id IS 'Run id, shown by `trade-etl runs` and used by `trade-etl retry`.';
COMMENT ON COLUMN etl.run.command IS 'The CLI command: refresh, backfill, load, retry, demo.';
COMMENT ON COLUMN etl.run.args IS 'The command''s arguments (secrets removed).';
COMMENT ON COLUMN etl.run.trigger IS 'What started it: cron (system cron or --trigger cron), manual, backfill, schedule (trade-etl schedule), retry.';
COMMENT ON COLUMN etl.run.started_at IS 'When the run started.';
COMMENT ON COLUMN etl.run.finished_at IS 'When the run ended; null while running or if the process died.';
COMMENT ON COLUMN etl.run.status IS 'running, succeeded, failed (nothing loaded), partial (some releases failed).';
COMMENT ON COLUMN etl.run.error IS 'First error message of the run, if any.';
COMMENT ON COLUMN etl.run.stats IS 'Counts per dataset: releases seen, new, unchanged, failed, rows inserted/closed; timings.';
COMMENT ON COLUMN etl.run.retry_of IS 'For a retry run: the run whose failed releases it re-ran.';

-- etl.release --------------------------------------------------------------------------------
CREATE TABLE etl.release (
  id             bigserial PRIMARY KEY,
  source         text NOT NULL,
  dataset        text NOT NULL,
  url            text,
  file_name      text NOT NULL,
  sha256         text NOT NULL,
  bytes          bigint NOT NULL,
  content_type   text,
  etag           text,
  last_modified  text,
  fetched_at     timestamptz NOT NULL DEFAULT now(),
  published_on   date,
  stage          text CHECK (stage IN ('preliminary', 'revised', 'final')),
  source_stage   text,
  scope_key      text,
  scope          jsonb NOT NULL DEFAULT '{}'::jsonb,
  title          text,
  status         text NOT NULL CHECK (status IN ('loading', 'loaded', 'failed', 'stale')),
  rows_parsed    bigint,
  rows_inserted  bigint,
  rows_closed    bigint,
  rows_unchanged bigint,
  error          text,
  error_detail   jsonb,
  run_id         bigint REFERENCES etl.run (id),
  loaded_at      timestamptz
);
CREATE UNIQUE INDEX release_loaded_once ON etl.release (dataset, sha256) WHERE status = 'loaded';
CREATE INDEX release_dataset_scope ON etl.release (dataset, scope_key);
COMMENT ON TABLE etl.release IS 'One row per release (file) fetched or loaded by hand, identified by its sha256; failed attempts are kept with their error.';
COMMENT ON COLUMN etl.release.id IS 'Release id; observation vintages point to it (valid_from_release / valid_to_release).';
COMMENT ON COLUMN etl.release.source IS 'Publisher channel: mof, census, frb.';
COMMENT ON COLUMN etl.release.dataset IS 'Dataset id: mof.press, mof.hs_country, mof.timeseries, census.api, census.country, frb.h10, frb.fred.';
COMMENT ON COLUMN etl.release.url IS 'Where the file was fetched from (API keys removed); null for a file loaded by hand.';
COMMENT ON COLUMN etl.release.file_name IS 'The file''s name (last URL segment, or the local file name for `trade-etl load`).';
COMMENT ON COLUMN etl.release.sha256 IS 'sha256 of the raw bytes; the bytes are kept in DATA_DIR/raw/<sha256>.';
COMMENT ON COLUMN etl.release.bytes IS 'Size of the raw file in bytes.';
COMMENT ON COLUMN etl.release.content_type IS 'HTTP Content-Type as served (null for local files).';
COMMENT ON COLUMN etl.release.etag IS 'HTTP ETag as served, for conditional GET.';
COMMENT ON COLUMN etl.release.last_modified IS 'HTTP Last-Modified as served, for conditional GET.';
COMMENT ON COLUMN etl.release.fetched_at IS 'When the bytes were fetched (or read from disk).';
COMMENT ON COLUMN etl.release.published_on IS 'Publication date the file states (e.g. MOF kohyoymd); else the fetch date. `as of` queries use it.';
COMMENT ON COLUMN etl.release.stage IS 'Normalized revision stage: preliminary < revised < final.';
COMMENT ON COLUMN etl.release.source_stage IS 'The publisher''s own stage wording (Provisional, Revised, Fixed, 確報…).';
COMMENT ON COLUMN etl.release.scope_key IS 'What part of the dataset the release covers; a later release with the same scope_key supersedes the earlier vintage.';
COMMENT ON COLUMN etl.release.scope IS 'Scope details (periods, flows, commodity range) as parsed.';
COMMENT ON COLUMN etl.release.title IS 'The file''s own title, when it has one.';
COMMENT ON COLUMN etl.release.status IS 'loading, loaded, failed (nothing of it is in trade/fx), stale (older than the vintage already loaded for its scope; kept, not made current).';
COMMENT ON COLUMN etl.release.rows_parsed IS 'Observations parsed from the file.';
COMMENT ON COLUMN etl.release.rows_inserted IS 'History rows inserted (new or changed observations).';
COMMENT ON COLUMN etl.release.rows_closed IS 'History rows closed (changed or vanished within the scope).';
COMMENT ON COLUMN etl.release.rows_unchanged IS 'Observations identical to the current vintage (not rewritten).';
COMMENT ON COLUMN etl.release.error IS 'Why the load failed, for people.';
COMMENT ON COLUMN etl.release.error_detail IS 'The same as fields: file, line/row, column, value, expected.';
COMMENT ON COLUMN etl.release.run_id IS 'The run that fetched or loaded it.';
COMMENT ON COLUMN etl.release.loaded_at IS 'When the merge committed.';

-- etl.watermark / http cache -----------------------------------------------------------------
CREATE TABLE etl.watermark (
  dataset     text PRIMARY KEY,
  last_period text,
  last_release_id bigint REFERENCES etl.release (id),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.watermark IS 'Per dataset, the newest period a refresh has loaded. Backfills never move it.';
COMMENT ON COLUMN etl.watermark.dataset IS 'Dataset id.';
COMMENT ON COLUMN etl.watermark.last_period IS 'Newest period loaded by a refresh (YYYY-MM or YYYY).';
COMMENT ON COLUMN etl.watermark.last_release_id IS 'The release that moved it.';
COMMENT ON COLUMN etl.watermark.updated_at IS 'When it moved.';

CREATE TABLE etl.http_cache (
  url           text PRIMARY KEY,
  dataset       text NOT NULL,
  etag          text,
  last_modified text,
  sha256        text NOT NULL,
  checked_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.http_cache IS 'HTTP validators of the last successful fetch of each URL, for conditional GET.';
COMMENT ON COLUMN etl.http_cache.url IS 'The URL without secrets.';
COMMENT ON COLUMN etl.http_cache.dataset IS 'Dataset the URL belongs to.';
COMMENT ON COLUMN etl.http_cache.etag IS 'ETag of the last 200 response.';
COMMENT ON COLUMN etl.http_cache.last_modified IS 'Last-Modified of the last 200 response.';
COMMENT ON COLUMN etl.http_cache.sha256 IS 'sha256 of the body then.';
COMMENT ON COLUMN etl.http_cache.checked_at IS 'When the URL was last checked (200 or 304).';

-- trade.observation_history -----------------------------------------------------------------
CREATE TABLE trade.observation_history (
  id                  bigserial PRIMARY KEY,
  dataset             text NOT NULL,
  scope_key           text NOT NULL,
  reporter            text NOT NULL,
  partner             text NOT NULL,
  partner_source_code text NOT NULL,
  flow                text NOT NULL CHECK (flow IN ('export', 'import', 'balance')),
  period              text NOT NULL,
  frequency           text NOT NULL CHECK (frequency IN ('M', 'A', 'FY', 'H', 'YTD', 'D')),
  classification      text NOT NULL,
  commodity_code      text NOT NULL,
  commodity_label     text,
  measure             text NOT NULL,
  value               numeric NOT NULL,
  unit                text NOT NULL,
  source_value        text,
  source_unit         text,
  basis               text,
  valid_from_release  bigint NOT NULL REFERENCES etl.release (id),
  valid_to_release    bigint REFERENCES etl.release (id)
);
CREATE UNIQUE INDEX observation_current_key ON trade.observation_history
  (dataset, reporter, partner, flow, period, frequency, classification, commodity_code, measure)
  WHERE valid_to_release IS NULL;
CREATE INDEX observation_history_scope ON trade.observation_history (dataset, scope_key) WHERE valid_to_release IS NULL;
CREATE INDEX observation_history_from ON trade.observation_history (valid_from_release);
CREATE INDEX observation_history_to ON trade.observation_history (valid_to_release);
COMMENT ON TABLE trade.observation_history IS 'Every trade observation ever published, one row per vintage: a row is valid from the release that published it until the release that changed or dropped it.';
COMMENT ON COLUMN trade.observation_history.id IS 'Row id.';
COMMENT ON COLUMN trade.observation_history.dataset IS 'Dataset that published it (part of the key: the same fact from two datasets is two series).';
COMMENT ON COLUMN trade.observation_history.scope_key IS 'Scope of the release that published it; a later release of this dataset and scope supersedes it.';
COMMENT ON COLUMN trade.observation_history.reporter IS 'Reporting country, ISO 3166 alpha-2 (JP for MOF, US for Census).';
COMMENT ON COLUMN trade.observation_history.partner IS 'Partner: ISO alpha-2 for a country, WORLD for all partners, <scheme>:<code> for regions and groupings (mof:ASIA, census:0003).';
COMMENT ON COLUMN trade.observation_history.partner_source_code IS 'The partner exactly as the source wrote it (MOF 304, press USA, Census 5880).';
COMMENT ON COLUMN trade.observation_history.flow IS 'export, import or balance (exports minus imports), from the reporter''s side.';
COMMENT ON COLUMN trade.observation_history.period IS 'YYYY-MM (M), YYYY (A, calendar year), FYYYYY (FY, Japanese fiscal year April–March), YYYYH1/H2 (H), YYYY-MM-DD (D).';
COMMENT ON COLUMN trade.observation_history.frequency IS 'M month, A calendar year, FY fiscal year, H half year, YTD year to date, D day. Calendar and fiscal years are never mixed.';
COMMENT ON COLUMN trade.observation_history.classification IS 'Commodity classification of commodity_code: total, mof_pc_export, mof_pc_import, mof_pc_label, hs9, hs2, hs4, hs6, hs10, census_enduse.';
COMMENT ON COLUMN trade.observation_history.commodity_code IS 'Commodity code as text (leading zeros kept); TOTAL for all commodities.';
COMMENT ON COLUMN trade.observation_history.commodity_label IS 'The source''s own commodity label.';
COMMENT ON COLUMN trade.observation_history.measure IS 'value (money), quantity / quantity2 (physical units), share_pct, value_growth_pct, quantity_growth_pct, contribution_pt (as published).';
COMMENT ON COLUMN trade.observation_history.value IS 'The number, in `unit` (base units: yen, dollars, vehicles, kilograms, percent).';
COMMENT ON COLUMN trade.observation_history.unit IS 'Unit of value: JPY, USD, NO (number), KG, MT, PCT (percent), PT (percentage points), …';
COMMENT ON COLUMN trade.observation_history.source_value IS 'The figure exactly as written in the file (commas, △, units of thousands).';
COMMENT ON COLUMN trade.observation_history.source_unit IS 'The file''s unit before normalization: thousand yen, million yen, $ millions, dollars.';
COMMENT ON COLUMN trade.observation_history.basis IS 'Valuation basis: FOB (MOF exports), CIF (MOF imports), general imports / consumption imports (Census, customs value), f.a.s. (Census exports).';
COMMENT ON COLUMN trade.observation_history.valid_from_release IS 'Release (etl.release.id) that published this value.';
COMMENT ON COLUMN trade.observation_history.valid_to_release IS 'Release that changed or dropped it; null while current.';

-- fx.rate_history ----------------------------------------------------------------------------
CREATE TABLE fx.rate_history (
  id                 bigserial PRIMARY KEY,
  dataset            text NOT NULL,
  scope_key          text NOT NULL,
  series             text NOT NULL,
  base               text NOT NULL,
  quote              text NOT NULL,
  frequency          text NOT NULL CHECK (frequency IN ('D', 'M', 'A')),
  period             text NOT NULL,
  rate               numeric NOT NULL CHECK (rate > 0),
  valid_from_release bigint NOT NULL REFERENCES etl.release (id),
  valid_to_release   bigint REFERENCES etl.release (id)
);
CREATE UNIQUE INDEX rate_current_key ON fx.rate_history (dataset, series, frequency, period) WHERE valid_to_release IS NULL;
CREATE INDEX rate_history_scope ON fx.rate_history (dataset, scope_key) WHERE valid_to_release IS NULL;
CREATE INDEX rate_history_from ON fx.rate_history (valid_from_release);
CREATE INDEX rate_history_to ON fx.rate_history (valid_to_release);
COMMENT ON TABLE fx.rate_history IS 'Every exchange rate ever published, one row per vintage (like trade.observation_history).';
COMMENT ON COLUMN fx.rate_history.id IS 'Row id.';
COMMENT ON COLUMN fx.rate_history.dataset IS 'frb.h10 (Federal Reserve Data Download Program) or frb.fred (FRED).';
COMMENT ON COLUMN fx.rate_history.scope_key IS 'Scope of the release that published it.';
COMMENT ON COLUMN fx.rate_history.series IS 'Source series id: RXI_N.B.JA (H.10), DEXJPUS (FRED)…';
COMMENT ON COLUMN fx.rate_history.base IS 'Currency priced (one unit of it): USD for yen per dollar; EUR for dollars per euro.';
COMMENT ON COLUMN fx.rate_history.quote IS 'Currency the rate is in: JPY for yen per dollar.';
COMMENT ON COLUMN fx.rate_history.frequency IS 'D business day (noon buying rate in New York), M monthly average, A annual average, as published.';
COMMENT ON COLUMN fx.rate_history.period IS 'YYYY-MM-DD (D), YYYY-MM (M), YYYY (A).';
COMMENT ON COLUMN fx.rate_history.rate IS 'Units of quote per one unit of base.';
COMMENT ON COLUMN fx.rate_history.valid_from_release IS 'Release that published this value.';
COMMENT ON COLUMN fx.rate_history.valid_to_release IS 'Release that changed or dropped it; null while current.';
