-- trade.series by commodity code. Every metric asks for its series by code (TOTAL for Japan's
-- totals, the car headings, a partner's total), and with the full-size MOF HS-9 and Census files
-- loaded (412,000 series) each of the claim check's many calls read the whole table: the check
-- took 4.7 s, 0.9 s with this index, the report 8.9 → 2.1 s. A load pays one more index entry per
-- new series (docs/performance.md, seventh pass).
CREATE INDEX series_commodity_code ON trade.series (commodity_code);
