import type { Migration } from './index'

/**
 * Review at scale (issue 7):
 *  - caption_metrics: a cache of each non-empty caption's length in characters and estimated
 *    CLIP / mT5 tokens (text/tokens.ts), keyed by (image, lang). Triggers drop a row whenever its
 *    caption is inserted, changed or deleted (plain SQL, so every writer keeps it honest); the
 *    stats fill missing rows lazily. Indexes (lang, metric) make each histogram an index scan;
 *  - captions_nonempty / captions_empty: small partial indexes for per-language caption counts;
 *  - images_sizes / images_dataset_sizes: covering indexes for the resolution and bucket stats;
 *  - images_phash_missing: the phash job's "what still needs a hash" lookup;
 *  - images_dataset_sha / images_dataset_phash: exact-duplicate grouping and the per-dataset
 *    read of perceptual hashes (near duplicates are searched in memory by multi-index hashing);
 *  - journal_entries_kind: review progress (status entries) by reviewer over time.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'review',
  up(db) {
    db.exec(`
CREATE TABLE caption_metrics (
  image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  lang        TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  chars       INTEGER NOT NULL,
  clip        INTEGER NOT NULL,
  mt5         INTEGER NOT NULL,
  PRIMARY KEY (image_id, lang)
) WITHOUT ROWID;
CREATE INDEX caption_metrics_chars ON caption_metrics (lang, chars);
CREATE INDEX caption_metrics_clip  ON caption_metrics (lang, clip);
CREATE INDEX caption_metrics_mt5   ON caption_metrics (lang, mt5);
CREATE TRIGGER caption_metrics_ai AFTER INSERT ON captions BEGIN
  DELETE FROM caption_metrics WHERE image_id = NEW.image_id AND lang = NEW.lang;
END;
CREATE TRIGGER caption_metrics_au AFTER UPDATE OF text ON captions BEGIN
  DELETE FROM caption_metrics WHERE image_id = OLD.image_id AND lang = OLD.lang;
  DELETE FROM caption_metrics WHERE image_id = NEW.image_id AND lang = NEW.lang;
END;
CREATE TRIGGER caption_metrics_ad AFTER DELETE ON captions BEGIN
  DELETE FROM caption_metrics WHERE image_id = OLD.image_id AND lang = OLD.lang;
END;
CREATE INDEX captions_nonempty ON captions (lang) WHERE text <> '';
CREATE INDEX captions_empty    ON captions (lang) WHERE text = '';
CREATE INDEX images_sizes         ON images (width, height, repeats);
CREATE INDEX images_dataset_sizes ON images (dataset_id, width, height, repeats);
CREATE INDEX images_phash_missing ON images (dataset_id, id) WHERE phash IS NULL AND error IS NULL;
CREATE INDEX images_dataset_sha   ON images (dataset_id, sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX images_dataset_phash ON images (dataset_id, phash) WHERE phash IS NOT NULL;
CREATE INDEX journal_entries_kind ON journal_entries (kind, batch_id);
`)
  }
}
