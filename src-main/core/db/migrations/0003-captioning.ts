import type { Migration } from './index'

/**
 * Captioning:
 *  - models: the registry of local model folders (id is a readable slug, used in provenance
 *    `model:<id>:<preset>`); `info` is the inspection result (files, sizes, warnings) as JSON;
 *  - presets: user prompt presets (built-ins live in code and are read-only);
 *  - job_batches: the journal batch a long job appends to, so a whole caption run is one
 *    undoable batch even though it commits chunk by chunk;
 *  - download_files: the file list of a download job (size and expected hashes per path).
 * Skipping "already captioned by this model/preset" reads captions.source / tags.source (primary
 * key lookups by image), which follow undo and manual edits, so no separate provenance is kept.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'captioning',
  up(db) {
    db.exec(`
CREATE TABLE models (
  id        TEXT PRIMARY KEY,
  kind      TEXT NOT NULL CHECK (kind IN ('tagger','image-to-text','florence2','chat-vlm')),
  name      TEXT NOT NULL,
  dir       TEXT NOT NULL UNIQUE,
  info      TEXT NOT NULL DEFAULT '{}',
  repo_id   TEXT,
  added_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE presets (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  lang        TEXT NOT NULL CHECK (lang IN ('zh','en')),
  template    TEXT NOT NULL,
  output      TEXT NOT NULL CHECK (output IN ('text','fields')),
  content     TEXT NOT NULL CHECK (content IN ('none','knowledge','raw')),
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE job_batches (
  job_id    INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  batch_id  INTEGER
);

CREATE TABLE download_files (
  job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  path    TEXT NOT NULL,
  size    INTEGER NOT NULL,
  sha256  TEXT,          -- LFS files: the LFS oid
  git_oid TEXT,          -- other files: the git blob sha1
  PRIMARY KEY (job_id, path)
) WITHOUT ROWID;
`)
  }
}
