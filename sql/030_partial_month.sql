-- Partial-month periods (MOF's first-10-days and first-20-days press releases) get a frequency
-- of their own, MTD: period = the last day covered ('2024-01-10' = January 1–10, 2024). They were
-- shaped as a range of days under frequency D, which the loader refused; as their own frequency
-- no monthly metric (frequency = 'M') can take a partial month for the month.
ALTER TABLE trade.observation_history DROP CONSTRAINT observation_history_frequency_check;
ALTER TABLE trade.observation_history ADD CONSTRAINT observation_history_frequency_check
  CHECK (frequency IN ('M', 'A', 'FY', 'H', 'YTD', 'D', 'MTD'));
COMMENT ON COLUMN trade.observation_history.period IS 'YYYY-MM (M), YYYY (A, calendar year), FYYYYY (FY, Japanese fiscal year April–March), YYYYH1/H2 (H), YYYY-MM (YTD: January through that month), YYYY-MM-DD (D: that day; MTD: the first of the month through that day).';
COMMENT ON COLUMN trade.observation_history.frequency IS 'M month, A calendar year, FY fiscal year, H half year, YTD year to date, D day, MTD part of a month from its 1st (MOF first 10 / first 20 days). Calendar and fiscal years are never mixed; a partial month is never M.';
COMMENT ON COLUMN trade.observation.frequency IS 'M, A (calendar year), FY (fiscal year), H, YTD, D, MTD (first 10/20 days of a month; period = last day covered).';
