-- A flag's opening is kept on the flag itself, not as an 'opened' row in flag_events.
--
-- The row only repeated what the flag already holds (opened_at is the event's time; the state raised is
-- always 'open') plus who opened it — and it cost the nightly run one more row, two index entries and a
-- reference check for every flag it raised: 22,974 on charter-bench compliance's first run, about a fifth
-- of writing the flags (psql, medians of nine: 504 ms with the events, 428 ms with these two columns).
-- The history still starts with the opening, under the id it had: FlagRowReader puts it first from
-- opened_by, opened_at and opened_event_id. The id is drawn from flag_events' own sequence, so every
-- entry of a history keeps a distinct id, in the order the entries were made.
ALTER TABLE flags ADD COLUMN opened_by text, ADD COLUMN opened_event_id bigint;
COMMENT ON COLUMN flags.opened_by IS 'Who raised the flag (the nightly run''s actor); NULL for a flag recorded without an opening.';
COMMENT ON COLUMN flags.opened_event_id IS 'The id of the opening in the flag''s history, from flag_events'' id sequence (0028).';

UPDATE flags f SET opened_by = e.actor, opened_event_id = e.id, opened_at = e.at
FROM flag_events e
WHERE e.flag_id = f.id AND e.kind = 'opened';
DELETE FROM flag_events WHERE kind = 'opened';

ALTER TABLE flag_events DROP CONSTRAINT flag_events_kind_check;
ALTER TABLE flag_events ADD CONSTRAINT flag_events_kind_check
    CHECK (kind IN ('transition', 'comment', 'response', 'evidence'));
COMMENT ON TABLE flag_events IS 'Every change to a flag after its opening (which the flag row keeps: opened_by, opened_at): actor, time, note, previous and new state.';
