import type { Migration } from './index'

/**
 * Resumable undo/redo of large journal batches (jobs/undo.ts):
 *  - journal_batches.moving: 'undo' | 'redo' while an 'undo' job is reverting (or re-applying)
 *    the batch, NULL at rest. `undone` flips only when the last entry has been applied, so a
 *    half-reverted batch is never shown as undone;
 *  - journal_batches.cursor: id of the last entry the job applied (undo walks entries by id
 *    descending, redo ascending). It is written in the same transaction as the entries it
 *    covers, so a killed process resumes exactly after the last committed entry;
 *  - journal_batches.job_id: the job doing the work (a second undo/redo meanwhile is refused,
 *    or resumes that job when it was interrupted);
 *  - journal_batches_moving: finds the (at most one) moving batch without scanning history.
 * ADD COLUMN with a NULL default rewrites nothing, so this is instant on any library.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'journal-state',
  up(db) {
    db.exec(`
ALTER TABLE journal_batches ADD COLUMN moving TEXT;
ALTER TABLE journal_batches ADD COLUMN cursor INTEGER;
ALTER TABLE journal_batches ADD COLUMN job_id INTEGER;
CREATE INDEX journal_batches_moving ON journal_batches (id) WHERE moving IS NOT NULL;
`)
  }
}
