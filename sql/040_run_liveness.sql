-- Which process runs a run, so a run whose process is gone (killed, machine restarted) can be
-- told from one still going: on start every command marks such runs failed ("interrupted").
ALTER TABLE etl.run ADD COLUMN pid integer, ADD COLUMN host text;
COMMENT ON COLUMN etl.run.pid IS 'Process id of the trade-etl process running it (with host); on Postgres the run also holds an advisory lock while that process lives.';
COMMENT ON COLUMN etl.run.host IS 'Host name of the machine (or container) running it.';
COMMENT ON COLUMN etl.run.status IS 'running, succeeded, failed (nothing loaded, or interrupted: error says why), partial (some releases failed, or stopped by a signal after loading some).';
