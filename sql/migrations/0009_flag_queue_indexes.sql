-- Indexes behind the flag queue (FlagStore.list). A page is the newest flags first, by id (keyset:
-- `id < cursor ORDER BY id DESC LIMIT n`). Flags cluster by age: the nightly run writes oldest periods
-- first, and old flags are mostly resolved or cleared. Without an index that yields a filter's flags in
-- id order, PostgreSQL walks the primary key backwards and filters, which for an old period or a state
-- few recent flags are in (disputed, waived) reads most of the table for every page: 46,000 of 53,000
-- flags (35 ms) when measured, growing with the table. With these, such a page reads its own flags.
-- State with severity uses flags_state_idx (state, severity) and sorts just the flags that match; an
-- employer's flags are few and come from flags_employer_period_idx.
CREATE INDEX flags_state_id_idx ON flags (state, id);
CREATE INDEX flags_period_id_idx ON flags (period, id);
