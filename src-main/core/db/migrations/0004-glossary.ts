import type { Migration } from './index'

/**
 * Glossaries (issue 5).
 *  - glossary_entries: one row per entry; dataset_id NULL = global. `data` is the entry as JSON,
 *    validated by the glossary schema (src-main/core/glossary/schema.ts) before it is written,
 *    without its id (the row id is the id) and without manual assignments (their own table).
 *    zh_key / en_key are the folded canonical names (lower case, half width, simplified), unique
 *    within a scope, so 廣州塔 and 广州塔 cannot be two entries of one glossary.
 *  - glossary_assignments: manual assignment of an entry to images (a trigger).
 *  - glossary_state.generation: bumped by triggers on every change to either table, so compiled
 *    glossaries can be cached per process and still see changes made by another process (CLI).
 */
export const migration0004: Migration = {
  version: 4,
  name: 'glossary',
  up(db) {
    db.exec(`
CREATE TABLE glossary_entries (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
  data        TEXT NOT NULL CHECK (json_valid(data)),
  zh_key      TEXT,
  en_key      TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (zh_key IS NOT NULL OR en_key IS NOT NULL)
);
CREATE UNIQUE INDEX glossary_zh_name ON glossary_entries (IFNULL(dataset_id, 0), zh_key)
  WHERE zh_key IS NOT NULL;
CREATE UNIQUE INDEX glossary_en_name ON glossary_entries (IFNULL(dataset_id, 0), en_key)
  WHERE en_key IS NOT NULL;
CREATE INDEX glossary_by_dataset ON glossary_entries (dataset_id, id);

CREATE TABLE glossary_assignments (
  entry_id  INTEGER NOT NULL REFERENCES glossary_entries(id) ON DELETE CASCADE,
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  PRIMARY KEY (entry_id, image_id)
) WITHOUT ROWID;
CREATE INDEX glossary_assignments_by_image ON glossary_assignments (image_id, entry_id);

CREATE TABLE glossary_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  INTEGER NOT NULL
);
INSERT INTO glossary_state (id, generation) VALUES (1, 0);

CREATE TRIGGER glossary_entries_ai AFTER INSERT ON glossary_entries BEGIN
  UPDATE glossary_state SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER glossary_entries_au AFTER UPDATE ON glossary_entries BEGIN
  UPDATE glossary_state SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER glossary_entries_ad AFTER DELETE ON glossary_entries BEGIN
  UPDATE glossary_state SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER glossary_assignments_ai AFTER INSERT ON glossary_assignments BEGIN
  UPDATE glossary_state SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER glossary_assignments_ad AFTER DELETE ON glossary_assignments BEGIN
  UPDATE glossary_state SET generation = generation + 1 WHERE id = 1;
END;
`)
  }
}
