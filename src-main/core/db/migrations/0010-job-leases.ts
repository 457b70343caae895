import type { Migration } from './index'
import { GLOSSA_APPLICATION_ID } from '../identity'

/**
 * Jobs belong to the process that runs them (issue 11):
 *  - job_owners: one row per process (core host) that has claimed jobs in this library — an id
 *    (host + pid + random), what it is ('glossa serve', 'Glossa app', 'glossa import'…), and a
 *    heartbeat the owner refreshes every few seconds. A row whose process is gone (a dead pid on
 *    this host, or a heartbeat older than the lease) is dead: its jobs may be reclaimed;
 *  - jobs.owner: the owner id of a queued or running job (kept on finished jobs: who ran it);
 *  - jobs.cancel_requested: set by another process's jobs.cancel; the owner polls it and stops;
 *  - jobs.note: a short outcome a user should read (an undo that left newer edits alone).
 * And the library is stamped with Glossa's application_id, so a file is recognised before any
 * write (core/db/open.ts).
 */
export const migration0010: Migration = {
  version: 10,
  name: 'job-leases',
  up(db) {
    db.exec(`
CREATE TABLE job_owners (
  id            TEXT PRIMARY KEY,
  host          TEXT NOT NULL,
  pid           INTEGER NOT NULL,
  label         TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  heartbeat_at  INTEGER NOT NULL
);
ALTER TABLE jobs ADD COLUMN owner TEXT;
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN note TEXT;
`)
    db.pragma(`application_id = ${GLOSSA_APPLICATION_ID}`)
  }
}
