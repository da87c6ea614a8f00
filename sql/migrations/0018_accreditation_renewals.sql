-- Accreditation renewal (issue 21, SPEC §10 "Renewal"): the daily accreditation-renewals job emails an
-- employer 90, 30 and 7 days before its accreditation lapses, and when it lapses without a renewal.
-- Both go through the outbox like every other message. The term is the charter version's
-- params.accreditation_months (24 when absent), read by the job; no column is needed for it.
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_kind_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_kind_check
    CHECK (kind IN ('employer-digest', 'rep-digest', 'reminder', 'weekly-summary', 'flag-notice', 'invitation',
                    'accreditation-reminder', 'accreditation-lapsed'));
