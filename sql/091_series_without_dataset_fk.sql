-- trade.series loses its foreign key to trade.dataset (issue 16: "a foreign key per row" was one
-- of the costs the issue named). Creating the 104,000 series of a tenth-size MOF file spent
-- 0.3 s of 1.0 s in the key's per-row check. The key guarded nothing a writer could get wrong:
-- every dataset_id comes from etl.trade_dataset_id (the loader, and the write trigger of
-- trade.observation_history, which calls it first), trade.dataset rows are never deleted, and
-- analysts cannot write either table. trade.observation_fact never had such keys. trade.scope
-- keeps its key: one row per release, nothing to save.
ALTER TABLE trade.series DROP CONSTRAINT series_dataset_id_fkey;
COMMENT ON COLUMN trade.series.dataset_id IS 'Dataset (trade.dataset.id; written only through etl.trade_dataset_id, without a foreign key since migration 091).';
