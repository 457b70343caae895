import type { Migration } from './index'

/**
 * The first schema. Captions live in the database (the source of truth); source files are never
 * written. FTS is kept in step by triggers so no write path can forget it:
 *  - image_fts (trigram): substring search of 3+ characters over zh, en, raw and tags;
 *  - image_cjk (unicode61 over CJK characters spaced out by glossa_cjk()): 1–2 character
 *    Chinese queries, which the trigram tokenizer cannot answer, as phrase queries.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL COLLATE NOCASE UNIQUE,
  created_at  INTEGER NOT NULL,
  settings    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE images (
  id               INTEGER PRIMARY KEY,
  dataset_id       INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  path             TEXT NOT NULL,            -- absolute source path (read-only to Glossa)
  root             TEXT NOT NULL,            -- the import root it was found under
  rel_path         TEXT NOT NULL,            -- path relative to root, '/' separated
  file_name        TEXT NOT NULL,
  folder           TEXT NOT NULL,            -- relative folder ('' for the root)
  concept          TEXT NOT NULL DEFAULT '', -- kohya "<repeats>_<concept>" folder or folder name
  repeats          INTEGER,
  sha256           TEXT,
  phash            TEXT,
  width            INTEGER,
  height           INTEGER,
  format           TEXT,
  orientation      INTEGER,
  bytes            INTEGER NOT NULL DEFAULT 0,
  mtime_ms         INTEGER NOT NULL DEFAULT 0,
  raw_caption      TEXT,                     -- imported sidecar text, verbatim (CRLF normalised)
  raw_file         TEXT,                     -- the sidecar it came from
  raw_encoding     TEXT,
  raw_mtime_ms     INTEGER,
  tags_text        TEXT NOT NULL DEFAULT '', -- denormalised ', '-joined tags for search and grid
  status           TEXT NOT NULL DEFAULT 'unreviewed'
                   CHECK (status IN ('unreviewed','approved','rejected','needs-work')),
  flags            INTEGER NOT NULL DEFAULT 0,
  error            TEXT,                     -- why the file could not be imported (NULL = fine)
  added_at         INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (dataset_id, path)
);
CREATE INDEX images_by_name    ON images (dataset_id, file_name, id);
CREATE INDEX images_by_folder  ON images (dataset_id, folder, file_name, id);
CREATE INDEX images_by_status  ON images (dataset_id, status, id);
CREATE INDEX images_by_width   ON images (dataset_id, width, id);
CREATE INDEX images_by_height  ON images (dataset_id, height, id);
CREATE INDEX images_by_concept ON images (dataset_id, concept, file_name, id);
CREATE INDEX images_by_sha     ON images (sha256);
CREATE INDEX images_errors     ON images (dataset_id, id) WHERE error IS NOT NULL;

CREATE TABLE captions (
  image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  lang        TEXT NOT NULL CHECK (lang IN ('zh','en')),
  text        TEXT NOT NULL DEFAULT '',
  fields      TEXT,                          -- JSON of structured fields, or NULL
  source      TEXT NOT NULL,                 -- 'import' | 'manual' | 'model:<id>'
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT,
  PRIMARY KEY (image_id, lang)
) WITHOUT ROWID;

CREATE TABLE tags (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position  INTEGER NOT NULL,
  tag       TEXT NOT NULL,
  score     REAL,
  source    TEXT NOT NULL DEFAULT 'manual',
  PRIMARY KEY (image_id, position)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags (tag, image_id);

CREATE TABLE journal_batches (
  id          INTEGER PRIMARY KEY,
  label       TEXT NOT NULL,
  actor       TEXT,
  created_at  INTEGER NOT NULL,
  items       INTEGER NOT NULL DEFAULT 0,
  undone      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE journal_entries (
  id        INTEGER PRIMARY KEY,
  batch_id  INTEGER NOT NULL REFERENCES journal_batches(id) ON DELETE CASCADE,
  image_id  INTEGER NOT NULL,
  kind      TEXT NOT NULL,    -- 'caption' | 'tags' | 'status'
  lang      TEXT,
  before    TEXT,             -- JSON snapshot, NULL = did not exist
  after     TEXT
);
CREATE INDEX journal_entries_batch ON journal_entries (batch_id, id);
CREATE INDEX journal_entries_image ON journal_entries (image_id, id);

CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL,
  dataset_id   INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  params       TEXT NOT NULL DEFAULT '{}',
  status       TEXT NOT NULL DEFAULT 'queued',
  phase        TEXT NOT NULL DEFAULT '',
  total        INTEGER NOT NULL DEFAULT 0,
  done         INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  error        TEXT
);
CREATE INDEX jobs_by_status ON jobs (status, id);
CREATE TABLE job_items (
  job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  key      TEXT NOT NULL,
  status   TEXT NOT NULL DEFAULT 'pending',   -- pending | done | failed | skipped
  error    TEXT,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX job_items_by_status ON job_items (job_id, status, seq);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE image_fts USING fts5 (zh, en, raw, tags, tokenize = 'trigram');
CREATE VIRTUAL TABLE image_cjk USING fts5 (body, tokenize = 'unicode61');

-- Keep both search indexes in step with captions, raw text and tags.
CREATE TRIGGER images_ai AFTER INSERT ON images BEGIN
  INSERT INTO image_fts (rowid, zh, en, raw, tags) VALUES (NEW.id, '', '', COALESCE(NEW.raw_caption, ''), NEW.tags_text);
  INSERT INTO image_cjk (rowid, body) VALUES (NEW.id, glossa_cjk(COALESCE(NEW.raw_caption, '') || ' ' || NEW.tags_text));
END;
CREATE TRIGGER images_ad AFTER DELETE ON images BEGIN
  DELETE FROM image_fts WHERE rowid = OLD.id;
  DELETE FROM image_cjk WHERE rowid = OLD.id;
END;
CREATE TRIGGER images_au AFTER UPDATE OF raw_caption, tags_text ON images BEGIN
  UPDATE image_fts SET raw = COALESCE(NEW.raw_caption, ''), tags = NEW.tags_text WHERE rowid = NEW.id;
  UPDATE image_cjk SET body = (SELECT glossa_cjk(f.zh || ' ' || f.en || ' ' || f.raw || ' ' || f.tags)
                                 FROM image_fts f WHERE f.rowid = NEW.id)
   WHERE rowid = NEW.id;
END;
CREATE TRIGGER captions_ai AFTER INSERT ON captions BEGIN
  UPDATE image_fts SET zh = CASE NEW.lang WHEN 'zh' THEN NEW.text ELSE zh END,
                       en = CASE NEW.lang WHEN 'en' THEN NEW.text ELSE en END
   WHERE rowid = NEW.image_id;
  UPDATE image_cjk SET body = (SELECT glossa_cjk(f.zh || ' ' || f.en || ' ' || f.raw || ' ' || f.tags)
                                 FROM image_fts f WHERE f.rowid = NEW.image_id)
   WHERE rowid = NEW.image_id;
END;
CREATE TRIGGER captions_au AFTER UPDATE OF text ON captions BEGIN
  UPDATE image_fts SET zh = CASE NEW.lang WHEN 'zh' THEN NEW.text ELSE zh END,
                       en = CASE NEW.lang WHEN 'en' THEN NEW.text ELSE en END
   WHERE rowid = NEW.image_id;
  UPDATE image_cjk SET body = (SELECT glossa_cjk(f.zh || ' ' || f.en || ' ' || f.raw || ' ' || f.tags)
                                 FROM image_fts f WHERE f.rowid = NEW.image_id)
   WHERE rowid = NEW.image_id;
END;
CREATE TRIGGER captions_ad AFTER DELETE ON captions BEGIN
  UPDATE image_fts SET zh = CASE OLD.lang WHEN 'zh' THEN '' ELSE zh END,
                       en = CASE OLD.lang WHEN 'en' THEN '' ELSE en END
   WHERE rowid = OLD.image_id;
  UPDATE image_cjk SET body = (SELECT glossa_cjk(f.zh || ' ' || f.en || ' ' || f.raw || ' ' || f.tags)
                                 FROM image_fts f WHERE f.rowid = OLD.image_id)
   WHERE rowid = OLD.image_id;
END;
`)
  }
}
