-- The recurring-invoice and summary-invoice tables (00130, 00131) kept their calendar dates as
-- TEXT on PostgreSQL; like every other table since 00031 they are date columns now, converted in
-- place. A schedule's not_before and last_run had '' for "none": that is NULL now (the store
-- writes and reads both forms through dateArg and scanDate). SQLite keeps TEXT (its 00200 is
-- empty).

-- +goose Up
ALTER TABLE schedule_runs
    ALTER COLUMN period_from TYPE date USING period_from::date,
    ALTER COLUMN period_to TYPE date USING period_to::date,
    ALTER COLUMN run_date TYPE date USING run_date::date;

ALTER TABLE summary_invoices
    ALTER COLUMN period_from TYPE date USING period_from::date,
    ALTER COLUMN period_to TYPE date USING period_to::date;

ALTER TABLE schedules
    ALTER COLUMN not_before DROP DEFAULT,
    ALTER COLUMN not_before DROP NOT NULL,
    ALTER COLUMN not_before TYPE date USING NULLIF(not_before, '')::date,
    ALTER COLUMN last_run DROP DEFAULT,
    ALTER COLUMN last_run DROP NOT NULL,
    ALTER COLUMN last_run TYPE date USING NULLIF(last_run, '')::date;

-- +goose Down
ALTER TABLE schedules
    ALTER COLUMN last_run TYPE TEXT USING COALESCE(last_run::text, ''),
    ALTER COLUMN last_run SET NOT NULL,
    ALTER COLUMN last_run SET DEFAULT '',
    ALTER COLUMN not_before TYPE TEXT USING COALESCE(not_before::text, ''),
    ALTER COLUMN not_before SET NOT NULL,
    ALTER COLUMN not_before SET DEFAULT '';

ALTER TABLE summary_invoices
    ALTER COLUMN period_to TYPE TEXT USING period_to::text,
    ALTER COLUMN period_from TYPE TEXT USING period_from::text;

ALTER TABLE schedule_runs
    ALTER COLUMN run_date TYPE TEXT USING run_date::text,
    ALTER COLUMN period_to TYPE TEXT USING period_to::text,
    ALTER COLUMN period_from TYPE TEXT USING period_from::text;
