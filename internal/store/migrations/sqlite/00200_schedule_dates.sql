-- PostgreSQL's 00200 gives the schedule and summary-invoice dates the date type. SQLite keeps
-- its TEXT columns; nothing to convert, the number is kept in step.

-- +goose Up

-- +goose Down
