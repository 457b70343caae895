import type { Migration } from './index'

/**
 * Data tools (issue 6).
 *  - cleanup_rules: the user-defined find/replace rules of a dataset, as one JSON array (the
 *    rule editor saves the whole ordered list at once; order is the order they run in).
 *  - export_profiles: saved export profiles (JSON, validated by the contract and the exporter).
 *  - export_reports: what an export job produced (counts, renames, skips, warnings and the
 *    validation report), one row per finished export job.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'datatools',
  up(db) {
    db.exec(`
CREATE TABLE cleanup_rules (
  dataset_id  INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  rules       TEXT NOT NULL CHECK (json_valid(rules)),
  updated_at  INTEGER NOT NULL
);

CREATE TABLE export_profiles (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL COLLATE NOCASE UNIQUE,
  profile     TEXT NOT NULL CHECK (json_valid(profile)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE export_reports (
  job_id      INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  report      TEXT NOT NULL CHECK (json_valid(report)),
  created_at  INTEGER NOT NULL
);
`)
  }
}
