import type { Migration } from './index'

/**
 * FTS5 merge settings of the two search indexes (image_fts, image_cjk), stated explicitly:
 *  - automerge 4 (FTS5's default): a level holding 4 segments is merged incrementally as writes
 *    come in. The work is done in quanta of 64 leaves × levels (~400 pages at 100,000 images)
 *    inside whichever flush crosses the quantum: 25–150 ms on the event loop at once. The 'bulk'
 *    job (jobs/bulk.ts) turns it off inside each of its slice transactions, merges a bounded
 *    number of pages itself, and turns it back on before the commit, so the committed value is
 *    always this one (a crash rolls the change back with the slice);
 *  - crisismerge 16 (FTS5's default): the safety net when merges fall behind;
 *  - hashsize 256 kB (FTS5's default is 1 MB): pending index data past this size is flushed to a
 *    new segment inside the statement that crosses it; a quarter of the default keeps each such
 *    flush (pages written at once) a quarter as long.
 * The settings live in each table's _config rows, so they are part of the library file.
 */
export const FTS_TABLES = ['image_fts', 'image_cjk'] as const
export const FTS_AUTOMERGE = 4
export const FTS_CRISISMERGE = 16
export const FTS_HASHSIZE = 256 * 1024

export const migration0009: Migration = {
  version: 9,
  name: 'fts-merge',
  up(db) {
    for (const t of FTS_TABLES) {
      db.exec(`
INSERT INTO ${t} (${t}, rank) VALUES ('automerge', ${FTS_AUTOMERGE});
INSERT INTO ${t} (${t}, rank) VALUES ('crisismerge', ${FTS_CRISISMERGE});
INSERT INTO ${t} (${t}, rank) VALUES ('hashsize', ${FTS_HASHSIZE});
`)
    }
  }
}
