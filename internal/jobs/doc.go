// Package jobs is reportapp's background work on River (github.com/riverqueue/river), in the same
// database as everything else: PostgreSQL through database/sql (riverdatabasesql) in production,
// the embedded SQLite file (riversqlite) by default. Jobs are inserted in the transaction of the
// change that causes them, so a request that commits always has its job and one that rolls back
// never does.
//
// The work is bulk PDF export (an export row and its progress are in the exports table, its ZIP
// in export_chunks rows written as the job goes, so any replica can report and serve it and
// neither the job nor the download holds the whole ZIP in memory) and periodic clean-up of expired exports and sessions.
// Replicas are interchangeable: River hands each job to one client at a time, a replica that
// stops lets its running jobs finish (or hands them back for a retry), and a replica that dies is
// rescued by the others after Options.RescueStuckJobsAfter.
package jobs
