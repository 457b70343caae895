import type { Migration } from './index'

/**
 * A trigram index over each image's path relative to its dataset root (folder and file name),
 * so search finds names through an index instead of testing every row a page walks. External
 * content (the text stays in `images.rel_path`); kept by triggers in the same transaction as the
 * image row; backfilled here. Terms of 3+ characters use it (trigram); shorter terms search the
 * captions only.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'name-index',
  up(db) {
    db.exec(`
CREATE VIRTUAL TABLE image_names USING fts5(
  rel_path, content='images', content_rowid='id', tokenize='trigram'
);
INSERT INTO image_names (image_names, rank) VALUES ('automerge', 4);
INSERT INTO image_names (image_names, rank) VALUES ('hashsize', ${256 * 1024});
CREATE TRIGGER image_names_ai AFTER INSERT ON images BEGIN
  INSERT INTO image_names (rowid, rel_path) VALUES (new.id, new.rel_path);
END;
CREATE TRIGGER image_names_ad AFTER DELETE ON images BEGIN
  INSERT INTO image_names (image_names, rowid, rel_path) VALUES ('delete', old.id, old.rel_path);
END;
CREATE TRIGGER image_names_au AFTER UPDATE OF rel_path ON images BEGIN
  INSERT INTO image_names (image_names, rowid, rel_path) VALUES ('delete', old.id, old.rel_path);
  INSERT INTO image_names (rowid, rel_path) VALUES (new.id, new.rel_path);
END;
INSERT INTO image_names (image_names) VALUES ('rebuild');
`)
  }
}
