import type { Migration } from './index'

/**
 * Statistics at 100,000 images (issue 7), maintained at write time so no call fills a cache:
 *  - caption_metrics is rebuilt with the image's dataset_id: each non-empty caption's length in
 *    characters and estimated CLIP / mT5 tokens, computed by triggers on captions through the
 *    SQL function glossa_text_size (review/text-metrics.ts, registered by db/open.ts). The 0006
 *    triggers (which only dropped stale rows for a lazy refill) are replaced. Indexes
 *    (dataset_id, lang, metric) make each histogram one covering index range, grouped in index
 *    order, for a dataset or (grouped per dataset, then merged) for the whole library;
 *  - tag_stats: a shadow of tags (image_id, position) with the image's dataset_id, kept by
 *    triggers on tags, indexed (dataset_id, tag): a dataset's tag counts are one covering range
 *    instead of a probe per tag of a 100,000-id list (tags itself keeps its shape, so snapshots
 *    and the journal are unaffected);
 *  - images moving between datasets (undo of a move) carry their metrics and tags along;
 *  - images_dataset_tagged: the "images with tags" count per dataset from a partial index.
 * Existing rows are backfilled here (what the 0006 cache already held is reused); the statistics are then refreshed (ANALYZE, sampled) when
 * the library already has images, so the planner sees the new tables at their real size.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'stats',
  up(db) {
    db.exec(`
DROP TRIGGER IF EXISTS caption_metrics_ai;
DROP TRIGGER IF EXISTS caption_metrics_au;
DROP TRIGGER IF EXISTS caption_metrics_ad;
ALTER TABLE caption_metrics RENAME TO caption_metrics_0006;
DROP INDEX caption_metrics_chars;
DROP INDEX caption_metrics_clip;
DROP INDEX caption_metrics_mt5;
CREATE TABLE caption_metrics (
  image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  lang        TEXT NOT NULL,
  dataset_id  INTEGER NOT NULL,
  chars       INTEGER NOT NULL,
  clip        INTEGER NOT NULL,
  mt5         INTEGER NOT NULL,
  PRIMARY KEY (image_id, lang)
) WITHOUT ROWID;
CREATE INDEX caption_metrics_chars ON caption_metrics (dataset_id, lang, chars);
CREATE INDEX caption_metrics_clip  ON caption_metrics (dataset_id, lang, clip);
CREATE INDEX caption_metrics_mt5   ON caption_metrics (dataset_id, lang, mt5);
-- rows the 0006 cache still holds are current (its triggers dropped stale ones): kept as is
INSERT INTO caption_metrics (image_id, lang, dataset_id, chars, clip, mt5)
  SELECT c.image_id, c.lang, i.dataset_id,
         COALESCE(o.chars, glossa_text_size(c.text, 'chars')),
         COALESCE(o.clip, glossa_text_size(c.text, 'clip')),
         COALESCE(o.mt5, glossa_text_size(c.text, 'mt5'))
    FROM captions c JOIN images i ON i.id = c.image_id
    LEFT JOIN caption_metrics_0006 o ON o.image_id = c.image_id AND o.lang = c.lang
   WHERE c.text <> '';
DROP TABLE caption_metrics_0006;
-- A REPLACE into captions fires no delete trigger (recursive_triggers is off): the insert
-- trigger clears the row first. No OR-clause inside, so an outer OR IGNORE cannot skip it.
CREATE TRIGGER caption_metrics_ai AFTER INSERT ON captions BEGIN
  DELETE FROM caption_metrics WHERE image_id = NEW.image_id AND lang = NEW.lang;
  INSERT INTO caption_metrics (image_id, lang, dataset_id, chars, clip, mt5)
    SELECT NEW.image_id, NEW.lang, i.dataset_id, glossa_text_size(NEW.text, 'chars'),
           glossa_text_size(NEW.text, 'clip'), glossa_text_size(NEW.text, 'mt5')
      FROM images i WHERE i.id = NEW.image_id AND NEW.text <> '';
END;
CREATE TRIGGER caption_metrics_au AFTER UPDATE OF image_id, lang, text ON captions BEGIN
  DELETE FROM caption_metrics WHERE image_id = OLD.image_id AND lang = OLD.lang;
  DELETE FROM caption_metrics WHERE image_id = NEW.image_id AND lang = NEW.lang;
  INSERT INTO caption_metrics (image_id, lang, dataset_id, chars, clip, mt5)
    SELECT NEW.image_id, NEW.lang, i.dataset_id, glossa_text_size(NEW.text, 'chars'),
           glossa_text_size(NEW.text, 'clip'), glossa_text_size(NEW.text, 'mt5')
      FROM images i WHERE i.id = NEW.image_id AND NEW.text <> '';
END;
CREATE TRIGGER caption_metrics_ad AFTER DELETE ON captions BEGIN
  DELETE FROM caption_metrics WHERE image_id = OLD.image_id AND lang = OLD.lang;
END;

CREATE TABLE tag_stats (
  image_id    INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  dataset_id  INTEGER NOT NULL,
  tag         TEXT NOT NULL,
  PRIMARY KEY (image_id, position)
) WITHOUT ROWID;
CREATE INDEX tag_stats_by_dataset ON tag_stats (dataset_id, tag);
INSERT INTO tag_stats (image_id, position, dataset_id, tag)
  SELECT t.image_id, t.position, i.dataset_id, t.tag FROM tags t JOIN images i ON i.id = t.image_id;
CREATE TRIGGER tag_stats_ai AFTER INSERT ON tags BEGIN
  DELETE FROM tag_stats WHERE image_id = NEW.image_id AND position = NEW.position;
  INSERT INTO tag_stats (image_id, position, dataset_id, tag)
    SELECT NEW.image_id, NEW.position, i.dataset_id, NEW.tag FROM images i WHERE i.id = NEW.image_id;
END;
CREATE TRIGGER tag_stats_au AFTER UPDATE OF image_id, position, tag ON tags BEGIN
  DELETE FROM tag_stats WHERE image_id = OLD.image_id AND position = OLD.position;
  DELETE FROM tag_stats WHERE image_id = NEW.image_id AND position = NEW.position;
  INSERT INTO tag_stats (image_id, position, dataset_id, tag)
    SELECT NEW.image_id, NEW.position, i.dataset_id, NEW.tag FROM images i WHERE i.id = NEW.image_id;
END;
CREATE TRIGGER tag_stats_ad AFTER DELETE ON tags BEGIN
  DELETE FROM tag_stats WHERE image_id = OLD.image_id AND position = OLD.position;
END;

CREATE TRIGGER stats_image_dataset AFTER UPDATE OF dataset_id ON images
  WHEN OLD.dataset_id IS NOT NEW.dataset_id BEGIN
  UPDATE caption_metrics SET dataset_id = NEW.dataset_id WHERE image_id = NEW.id;
  UPDATE tag_stats SET dataset_id = NEW.dataset_id WHERE image_id = NEW.id;
END;

CREATE INDEX images_dataset_tagged ON images (dataset_id) WHERE tags_text <> '';
`)
    const any = db.prepare('SELECT 1 FROM images LIMIT 1').get()
    if (any) {
      db.pragma('analysis_limit = 1000')
      db.exec('ANALYZE')
      db.pragma('analysis_limit = 0')
    }
  }
}
