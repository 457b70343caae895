import type { Database } from 'better-sqlite3'
import type { Migration } from './index'

/**
 * Summaries kept, not recomputed (issue 17). At a million images every count the studio shows
 * (dataset cards, the library home, the dashboard) was a scan of the images; now each is a read
 * of a few small rows, maintained by triggers in the same transaction as the change:
 *  - dataset_stats: one row per dataset — images, import errors, bytes, images with tags,
 *    images per review status (all rows, st_*) and import-error rows per status (er_*, so the
 *    reviewable counts are st_ − er_), non-empty captions per language (cap_*, counted off
 *    caption_metrics, which holds exactly the non-empty captions with their dataset) and empty
 *    captions per language (empty_*, counted off caption_empty: the empty captions with their
 *    dataset, a shadow kept by triggers on captions like caption_metrics);
 *  - dataset_concepts: images per (dataset, concept, repeats);
 *  - tag_counts: occurrences per (dataset, tag), counted off tag_stats (migration 0007);
 *  - caption_bins: non-empty captions per (dataset, lang, histogram bin of characters / CLIP /
 *    mT5 tokens, over-budget flags), the dashboard's caption-length histograms at CAPTION_HIST;
 *  - size_counts: images with a known size per (dataset, width, height), with the sum of their
 *    repeats (kohya weighting), for the resolution scatter and the bucket preview.
 * Counts that fall to zero keep their row (readers skip n = 0) so a value that comes and goes
 * costs one UPDATE, not a DELETE and an INSERT. No statement uses an OR-clause or UPSERT, so the
 * conflict policy of an outer statement cannot change what a trigger does. Decrements are plain
 * UPDATEs: a dataset being removed (whose rows its own delete trigger drops) is never re-created
 * by the cascade that removes its images. The rows are backfilled by rebuildSummaries, which a
 * bulk loader that sets the triggers aside (test/db/helpers.ts seedLibrary) calls too.
 */

/** The caption-length histograms: bin width and bin count per measure (the last bin is open). */
export const CAPTION_HIST = {
  chars: { width: 20, bins: 50 },
  clip: { width: 8, bins: 40 },
  mt5: { width: 16, bins: 40 }
} as const
/** Token budgets the over-budget counts use (captions/text/tokens.ts BUDGETS). */
export const CAPTION_BUDGETS = { clip: 77, mt5: 256 } as const

export const SUMMARY_STATUSES = ['unreviewed', 'approved', 'rejected', 'needs-work'] as const
export const statusColumn = (s: string) => s.replace('-', '_')

const ST = SUMMARY_STATUSES.map(statusColumn)

/** SQL for the bin key of a caption_metrics row `r` (NEW / OLD / an alias). */
function binExprs(r: string): string[] {
  const b = (k: keyof typeof CAPTION_HIST) =>
    `MIN(${r}.${k} / ${CAPTION_HIST[k].width}, ${CAPTION_HIST[k].bins - 1})`
  return [
    `${r}.dataset_id`,
    `${r}.lang`,
    b('chars'),
    b('clip'),
    b('mt5'),
    `(${r}.clip > ${CAPTION_BUDGETS.clip})`,
    `(${r}.mt5 > ${CAPTION_BUDGETS.mt5})`
  ]
}
const BIN_COLS = ['dataset_id', 'lang', 'cb', 'kb', 'mb', 'co', 'mo']

/** repeats is the only nullable key column: IS matches NULL to NULL (and still uses the index) */
const eq = (col: string) => (col === 'repeats' ? 'IS' : '=')

/** `UPDATE t SET n = n + 1 …; INSERT … WHERE NOT EXISTS` for one key (`cols` = `vals`). */
function bump(table: string, cols: string[], vals: string[]): string {
  const match = cols.map((c, i) => `${c} ${eq(c)} ${vals[i]}`).join(' AND ')
  return `UPDATE ${table} SET n = n + 1 WHERE ${match};
  INSERT INTO ${table} (${[...cols, 'n'].join(', ')})
    SELECT ${[...vals, '1'].join(', ')}
     WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${match});`
}
function drop(table: string, cols: string[], vals: string[]): string {
  const match = cols.map((c, i) => `${c} ${eq(c)} ${vals[i]}`).join(' AND ')
  return `UPDATE ${table} SET n = n - 1 WHERE ${match};`
}

/** dataset_stats += sign × the image row `r` */
function imageDelta(r: string, sign: '+' | '-'): string {
  const cols: [string, string][] = [
    ['images', '1'],
    ['errors', `(${r}.error IS NOT NULL)`],
    ['bytes', `${r}.bytes`],
    ['tagged', `(${r}.tags_text <> '')`],
    ...SUMMARY_STATUSES.map((s, i): [string, string] => [`st_${ST[i]}`, `(${r}.status = '${s}')`]),
    ...SUMMARY_STATUSES.map((s, i): [string, string] => [
      `er_${ST[i]}`,
      `(${r}.error IS NOT NULL AND ${r}.status = '${s}')`
    ])
  ]
  return `UPDATE dataset_stats SET ${cols.map(([c, v]) => `${c} = ${c} ${sign} ${v}`).join(', ')}
   WHERE dataset_id = ${r}.dataset_id;`
}

const CONCEPT_COLS = ['dataset_id', 'concept', 'repeats']
const conceptKey = (r: string) => [`${r}.dataset_id`, `${r}.concept`, `${r}.repeats`]
const SIZE_COLS = ['dataset_id', 'width', 'height']
const sizeKey = (r: string) => [`${r}.dataset_id`, `${r}.width`, `${r}.height`]
const sizeKnown = (r: string) => `${r}.width > 0 AND ${r}.height > 0`
const TAG_COLS = ['dataset_id', 'tag']
const tagKey = (r: string) => [`${r}.dataset_id`, `${r}.tag`]
const capDelta = (r: string, sign: '+' | '-') =>
  `UPDATE dataset_stats SET cap_zh = cap_zh ${sign} (${r}.lang = 'zh'), cap_en = cap_en ${sign} (${r}.lang = 'en')
   WHERE dataset_id = ${r}.dataset_id;`

const emptyDelta = (r: string, sign: '+' | '-') =>
  `UPDATE dataset_stats SET empty_zh = empty_zh ${sign} (${r}.lang = 'zh'), empty_en = empty_en ${sign} (${r}.lang = 'en')
   WHERE dataset_id = ${r}.dataset_id;`

/** A size row counts only images with a known size (both sides > 0), as the stats always did. */
function sizeBump(r: string): string {
  // bump() without a WHERE of its own: wrap both statements' conditions
  const match = SIZE_COLS.map((c, i) => `${c} = ${sizeKey(r)[i]}`).join(' AND ')
  return `UPDATE size_counts SET n = n + 1, weighted = weighted + IFNULL(${r}.repeats, 1)
   WHERE ${match} AND ${sizeKnown(r)};
  INSERT INTO size_counts (dataset_id, width, height, n, weighted)
    SELECT ${sizeKey(r).join(', ')}, 1, IFNULL(${r}.repeats, 1)
     WHERE ${sizeKnown(r)} AND NOT EXISTS (SELECT 1 FROM size_counts WHERE ${match});`
}
function sizeDrop(r: string): string {
  const match = SIZE_COLS.map((c, i) => `${c} = ${sizeKey(r)[i]}`).join(' AND ')
  return `UPDATE size_counts SET n = n - 1, weighted = weighted - IFNULL(${r}.repeats, 1)
   WHERE ${match} AND ${sizeKnown(r)};`
}

const SCHEMA = `
CREATE TABLE dataset_stats (
  dataset_id  INTEGER PRIMARY KEY,
  images      INTEGER NOT NULL DEFAULT 0,
  errors      INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL DEFAULT 0,
  tagged      INTEGER NOT NULL DEFAULT 0,
  ${ST.map((s) => `st_${s} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  ${ST.map((s) => `er_${s} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  cap_zh      INTEGER NOT NULL DEFAULT 0,
  cap_en      INTEGER NOT NULL DEFAULT 0,
  empty_zh    INTEGER NOT NULL DEFAULT 0,
  empty_en    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE caption_empty (
  image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  lang        TEXT NOT NULL,
  dataset_id  INTEGER NOT NULL,
  PRIMARY KEY (image_id, lang)
) WITHOUT ROWID;
CREATE TABLE dataset_concepts (
  dataset_id  INTEGER NOT NULL,
  concept     TEXT NOT NULL,
  repeats     INTEGER,
  n           INTEGER NOT NULL
);
CREATE INDEX dataset_concepts_key ON dataset_concepts (dataset_id, concept, repeats);
CREATE TABLE tag_counts (
  dataset_id  INTEGER NOT NULL,
  tag         TEXT NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, tag)
) WITHOUT ROWID;
CREATE TABLE caption_bins (
  dataset_id  INTEGER NOT NULL,
  lang        TEXT NOT NULL,
  cb          INTEGER NOT NULL,
  kb          INTEGER NOT NULL,
  mb          INTEGER NOT NULL,
  co          INTEGER NOT NULL,
  mo          INTEGER NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, lang, cb, kb, mb, co, mo)
) WITHOUT ROWID;
CREATE TABLE size_counts (
  dataset_id  INTEGER NOT NULL,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  n           INTEGER NOT NULL,
  weighted    INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, width, height)
) WITHOUT ROWID;
`

const TRIGGERS = `
CREATE TRIGGER summary_datasets_ai AFTER INSERT ON datasets BEGIN
  INSERT INTO dataset_stats (dataset_id) SELECT NEW.id
   WHERE NOT EXISTS (SELECT 1 FROM dataset_stats WHERE dataset_id = NEW.id);
END;
CREATE TRIGGER summary_datasets_ad AFTER DELETE ON datasets BEGIN
  DELETE FROM dataset_stats WHERE dataset_id = OLD.id;
  DELETE FROM dataset_concepts WHERE dataset_id = OLD.id;
  DELETE FROM tag_counts WHERE dataset_id = OLD.id;
  DELETE FROM caption_bins WHERE dataset_id = OLD.id;
  DELETE FROM size_counts WHERE dataset_id = OLD.id;
END;

CREATE TRIGGER summary_images_ai AFTER INSERT ON images BEGIN
  ${imageDelta('NEW', '+')}
  ${bump('dataset_concepts', CONCEPT_COLS, conceptKey('NEW'))}
  ${sizeBump('NEW')}
END;
CREATE TRIGGER summary_images_ad AFTER DELETE ON images BEGIN
  ${imageDelta('OLD', '-')}
  ${drop('dataset_concepts', CONCEPT_COLS, conceptKey('OLD'))}
  ${sizeDrop('OLD')}
END;
CREATE TRIGGER summary_images_au AFTER UPDATE OF dataset_id, status, error, bytes, tags_text ON images
  WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.status IS NOT NEW.status
    OR (OLD.error IS NULL) <> (NEW.error IS NULL) OR OLD.bytes IS NOT NEW.bytes
    OR (OLD.tags_text <> '') <> (NEW.tags_text <> '') BEGIN
  ${imageDelta('OLD', '-')}
  ${imageDelta('NEW', '+')}
END;
CREATE TRIGGER summary_images_concept AFTER UPDATE OF dataset_id, concept, repeats ON images
  WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.concept IS NOT NEW.concept
    OR OLD.repeats IS NOT NEW.repeats BEGIN
  ${drop('dataset_concepts', CONCEPT_COLS, conceptKey('OLD'))}
  ${bump('dataset_concepts', CONCEPT_COLS, conceptKey('NEW'))}
END;
CREATE TRIGGER summary_images_size AFTER UPDATE OF dataset_id, width, height, repeats ON images
  WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.width IS NOT NEW.width
    OR OLD.height IS NOT NEW.height OR OLD.repeats IS NOT NEW.repeats BEGIN
  ${sizeDrop('OLD')}
  ${sizeBump('NEW')}
END;

CREATE TRIGGER summary_tags_ai AFTER INSERT ON tag_stats BEGIN
  ${bump('tag_counts', TAG_COLS, tagKey('NEW'))}
END;
CREATE TRIGGER summary_tags_ad AFTER DELETE ON tag_stats BEGIN
  ${drop('tag_counts', TAG_COLS, tagKey('OLD'))}
END;
CREATE TRIGGER summary_tags_au AFTER UPDATE OF dataset_id, tag ON tag_stats
  WHEN OLD.dataset_id IS NOT NEW.dataset_id OR OLD.tag IS NOT NEW.tag BEGIN
  ${drop('tag_counts', TAG_COLS, tagKey('OLD'))}
  ${bump('tag_counts', TAG_COLS, tagKey('NEW'))}
END;

-- caption_empty shadows the empty captions with their dataset, as caption_metrics does the
-- others (no OR-clause: an outer OR IGNORE / REPLACE cannot skip a statement)
CREATE TRIGGER caption_empty_ai AFTER INSERT ON captions BEGIN
  DELETE FROM caption_empty WHERE image_id = NEW.image_id AND lang = NEW.lang;
  INSERT INTO caption_empty (image_id, lang, dataset_id)
    SELECT NEW.image_id, NEW.lang, i.dataset_id FROM images i
     WHERE i.id = NEW.image_id AND NEW.text = '';
END;
CREATE TRIGGER caption_empty_au AFTER UPDATE OF image_id, lang, text ON captions BEGIN
  DELETE FROM caption_empty WHERE image_id = OLD.image_id AND lang = OLD.lang;
  DELETE FROM caption_empty WHERE image_id = NEW.image_id AND lang = NEW.lang;
  INSERT INTO caption_empty (image_id, lang, dataset_id)
    SELECT NEW.image_id, NEW.lang, i.dataset_id FROM images i
     WHERE i.id = NEW.image_id AND NEW.text = '';
END;
CREATE TRIGGER caption_empty_ad AFTER DELETE ON captions BEGIN
  DELETE FROM caption_empty WHERE image_id = OLD.image_id AND lang = OLD.lang;
END;
CREATE TRIGGER caption_empty_dataset AFTER UPDATE OF dataset_id ON images
  WHEN OLD.dataset_id IS NOT NEW.dataset_id BEGIN
  UPDATE caption_empty SET dataset_id = NEW.dataset_id WHERE image_id = NEW.id;
END;
CREATE TRIGGER summary_empty_ai AFTER INSERT ON caption_empty BEGIN
  ${emptyDelta('NEW', '+')}
END;
CREATE TRIGGER summary_empty_ad AFTER DELETE ON caption_empty BEGIN
  ${emptyDelta('OLD', '-')}
END;
CREATE TRIGGER summary_empty_au AFTER UPDATE OF dataset_id, lang ON caption_empty BEGIN
  ${emptyDelta('OLD', '-')}
  ${emptyDelta('NEW', '+')}
END;

CREATE TRIGGER summary_metrics_ai AFTER INSERT ON caption_metrics BEGIN
  ${capDelta('NEW', '+')}
  ${bump('caption_bins', BIN_COLS, binExprs('NEW'))}
END;
CREATE TRIGGER summary_metrics_ad AFTER DELETE ON caption_metrics BEGIN
  ${capDelta('OLD', '-')}
  ${drop('caption_bins', BIN_COLS, binExprs('OLD'))}
END;
CREATE TRIGGER summary_metrics_au AFTER UPDATE ON caption_metrics BEGIN
  ${capDelta('OLD', '-')}
  ${drop('caption_bins', BIN_COLS, binExprs('OLD'))}
  ${capDelta('NEW', '+')}
  ${bump('caption_bins', BIN_COLS, binExprs('NEW'))}
END;
`

/**
 * Recomputes every summary row from the data (inside the caller's transaction): the migration's
 * backfill, and the last step of a bulk loader that inserted with the triggers set aside.
 */
export function rebuildSummaries(db: Database): void {
  db.exec(`
DELETE FROM dataset_stats;
DELETE FROM dataset_concepts;
DELETE FROM tag_counts;
DELETE FROM caption_bins;
DELETE FROM size_counts;
DELETE FROM caption_empty;
INSERT INTO caption_empty (image_id, lang, dataset_id)
  SELECT c.image_id, c.lang, i.dataset_id FROM captions c JOIN images i ON i.id = c.image_id
   WHERE c.text = '';
INSERT INTO dataset_stats (dataset_id) SELECT id FROM datasets;
UPDATE dataset_stats SET (images, errors, bytes, tagged, ${ST.map((s) => `st_${s}`).join(', ')},
                          ${ST.map((s) => `er_${s}`).join(', ')}) =
  (SELECT count(*), count(error), IFNULL(sum(bytes), 0), IFNULL(sum(tags_text <> ''), 0),
          ${SUMMARY_STATUSES.map((s) => `IFNULL(sum(status = '${s}'), 0)`).join(', ')},
          ${SUMMARY_STATUSES.map((s) => `IFNULL(sum(error IS NOT NULL AND status = '${s}'), 0)`).join(', ')}
     FROM images WHERE images.dataset_id = dataset_stats.dataset_id);
UPDATE dataset_stats SET (cap_zh, cap_en) =
  (SELECT IFNULL(sum(lang = 'zh'), 0), IFNULL(sum(lang = 'en'), 0)
     FROM caption_metrics m WHERE m.dataset_id = dataset_stats.dataset_id);
UPDATE dataset_stats SET (empty_zh, empty_en) =
  (SELECT IFNULL(sum(lang = 'zh'), 0), IFNULL(sum(lang = 'en'), 0)
     FROM caption_empty e WHERE e.dataset_id = dataset_stats.dataset_id);
INSERT INTO dataset_concepts (dataset_id, concept, repeats, n)
  SELECT dataset_id, concept, repeats, count(*) FROM images GROUP BY dataset_id, concept, repeats;
INSERT INTO tag_counts (dataset_id, tag, n)
  SELECT dataset_id, tag, count(*) FROM tag_stats GROUP BY dataset_id, tag;
INSERT INTO caption_bins (${BIN_COLS.join(', ')}, n)
  SELECT ${binExprs('m').join(', ')}, count(*) FROM caption_metrics m GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO size_counts (dataset_id, width, height, n, weighted)
  SELECT dataset_id, width, height, count(*), sum(IFNULL(repeats, 1)) FROM images
   WHERE width > 0 AND height > 0 GROUP BY dataset_id, width, height;
`)
}

export const migration0012: Migration = {
  version: 12,
  name: 'summaries',
  up(db) {
    db.exec(SCHEMA)
    rebuildSummaries(db)
    db.exec(TRIGGERS)
  }
}
