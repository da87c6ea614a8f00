-- Reference data from SPEC §2 and §4: bank holidays, RLW and NMW rates, charter version 1.
-- Later changes to this data go in new migrations (or `charterctl rates add`), never here.

INSERT INTO bank_holidays (date, name) VALUES
    ('2024-01-01', 'New Year''s Day'), ('2024-03-29', 'Good Friday'), ('2024-04-01', 'Easter Monday'),
    ('2024-05-06', 'Early May bank holiday'), ('2024-05-27', 'Spring bank holiday'),
    ('2024-08-26', 'Summer bank holiday'), ('2024-12-25', 'Christmas Day'), ('2024-12-26', 'Boxing Day'),
    ('2025-01-01', 'New Year''s Day'), ('2025-04-18', 'Good Friday'), ('2025-04-21', 'Easter Monday'),
    ('2025-05-05', 'Early May bank holiday'), ('2025-05-26', 'Spring bank holiday'),
    ('2025-08-25', 'Summer bank holiday'), ('2025-12-25', 'Christmas Day'), ('2025-12-26', 'Boxing Day'),
    ('2026-01-01', 'New Year''s Day'), ('2026-04-03', 'Good Friday'), ('2026-04-06', 'Easter Monday'),
    ('2026-05-04', 'Early May bank holiday'), ('2026-05-25', 'Spring bank holiday'),
    ('2026-08-31', 'Summer bank holiday'), ('2026-12-25', 'Christmas Day'),
    ('2026-12-28', 'Boxing Day (substitute day)'),
    ('2027-01-01', 'New Year''s Day'), ('2027-03-26', 'Good Friday'), ('2027-03-29', 'Easter Monday'),
    ('2027-05-03', 'Early May bank holiday'), ('2027-05-31', 'Spring bank holiday'),
    ('2027-08-30', 'Summer bank holiday'), ('2027-12-27', 'Christmas Day (substitute day)'),
    ('2027-12-28', 'Boxing Day (substitute day)');

INSERT INTO rlw_rates (rate_year, uk, london, announced_on, deadline) VALUES
    ('2023-24', 12.00, 13.15, '2023-10-24', '2024-05-01'),
    ('2024-25', 12.60, 13.85, '2024-10-23', '2025-05-01'),
    ('2025-26', 13.45, 14.80, '2025-10-22', '2026-05-01');

INSERT INTO nmw_rates (effective_from, band, rate) VALUES
    ('2024-04-01', '21_plus', 11.44), ('2024-04-01', '18_20', 8.60),
    ('2024-04-01', 'under_18', 6.40), ('2024-04-01', 'apprentice', 6.40),
    ('2025-04-01', '21_plus', 12.21), ('2025-04-01', '18_20', 10.00),
    ('2025-04-01', 'under_18', 7.55), ('2025-04-01', 'apprentice', 7.55),
    ('2026-04-01', '21_plus', 12.71), ('2026-04-01', '18_20', 10.85),
    ('2026-04-01', 'under_18', 8.00), ('2026-04-01', 'apprentice', 8.00);

INSERT INTO charter_versions (label, effective_from, params) VALUES
    ('Fair Employment Charter 2026', '2024-01-01', '{"return_due_days": 30, "shift_notice_days": 28}');

INSERT INTO standards (charter_version_id, standard_id, pillar, title, params, severity_aspiring, severity_accredited)
SELECT v.id, s.standard_id, s.pillar, s.title, s.params::jsonb, s.aspiring, s.accredited
FROM charter_versions v,
(VALUES
    ('pay.minimum-wage', 'fair', 'Statutory minimum wage', '{}', 'critical', 'critical'),
    ('pay.real-living-wage', 'fair', 'Real Living Wage',
        '{"excluded_contract_types": ["apprentice", "intern", "volunteer"]}', 'warning', 'breach'),
    ('pay.rlw-uplift-upcoming', 'fair', 'Real Living Wage uplift upcoming', '{}', 'info', 'info'),
    ('pay.rlw-plan', 'fair', 'Plan to reach the Real Living Wage', '{"plan_horizon_months": 24}', 'breach', 'off'),
    ('pay.contractor-rlw', 'fair', 'Real Living Wage for contracted staff',
        '{"min_hours_per_day": 2, "min_consecutive_weeks": 8}', 'warning', 'breach'),
    ('hours.zero-hours-consent', 'fair', 'Zero-hours contracts only by request', '{}', 'warning', 'breach'),
    ('hours.zero-hours-share', 'fair', 'Share of zero-hours contracts', '{"threshold_percent": 5}', 'warning', 'warning'),
    ('hours.zero-hours-trend', 'fair', 'Rising use of zero-hours contracts', '{"rise_points": 2}', 'warning', 'warning'),
    ('hours.living-hours-minimum', 'fair', 'Living Hours: at least 16 hours a week',
        '{"min_hours": 16, "requires_commitment": "living_hours"}', 'breach', 'breach'),
    ('hours.reflect-actual', 'fair', 'Contracts that reflect hours worked',
        '{"margin_hours": 4, "min_tenure_weeks": 12, "offer_lookback_months": 12}', 'warning', 'breach'),
    ('hours.review-overdue', 'fair', 'Hours reviews for low-hours workers',
        '{"first_review_days": 84, "review_interval_days": 183, "low_hours_threshold": 16}', 'warning', 'breach'),
    ('hours.shift-notice', 'fair', 'Notice of shifts',
        '{"notice_days": 28, "tolerance_percent": 5, "severity_accredited_with_living_hours": "breach"}', 'warning', 'warning'),
    ('hours.cancellation-pay', 'fair', 'Pay for shifts cancelled at short notice', '{}', 'warning', 'breach'),
    ('hours.agency-parity', 'fair', 'Equal terms for agency workers', '{"min_tenure_weeks": 12}', 'warning', 'breach'),
    ('health.sick-pay-day-one', 'healthy', 'Sick pay from the first day', '{}', 'warning', 'breach'),
    ('health.policy-review', 'healthy', 'Health and safety policy reviewed',
        '{"interval_months": 12, "severity_aspiring_if_missing": "breach"}', 'warning', 'breach'),
    ('just.union-access', 'just', 'Right to join a union made known',
        '{"interval_months": 12, "accredited_requires_recognition": true}', 'breach', 'breach'),
    ('just.union-reply', 'just', 'Timely replies to union requests', '{"reply_days": 10}', 'breach', 'breach'),
    ('just.young-people', 'just', 'Opportunities for young people',
        '{"min_headcount": 10, "lookback_periods": 4}', 'warning', 'warning'),
    ('inclusive.equality-audit', 'inclusive', 'Equality audit', '{"interval_months": 12}', 'warning', 'breach'),
    ('inclusive.flexible-day-one', 'inclusive', 'Flexible working from day one', '{}', 'warning', 'breach'),
    ('gov.return-late', 'governance', 'Return received late', '{}', 'warning', 'warning'),
    ('gov.return-missing', 'governance', 'Return missing', '{}', 'breach', 'breach'),
    ('gov.data-quality', 'governance', 'Data quality of the return',
        '{"headcount_tolerance_percent": 5, "blank_hours_percent": 20, "rate_outlier_factor": 100}', 'info', 'warning')
) AS s (standard_id, pillar, title, params, aspiring, accredited)
WHERE v.label = 'Fair Employment Charter 2026';
