import type { Migration } from './index'

/**
 * Indexes for keyed grid paging (see images/queries.ts):
 *  - width/height sorts page over `COALESCE(x, -1)` so rows without a size (import errors) get a
 *    real sort value and row-value comparisons never meet NULL; the 0001 plain-column indexes
 *    are replaced by expression indexes with exactly the expression the queries use;
 *  - `(dataset_id)` (+ rowid) for the "added" sort within a dataset;
 *  - library-wide variants without the dataset prefix, for the grid with no dataset filter.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'grid-indexes',
  up(db) {
    db.exec(`
DROP INDEX IF EXISTS images_by_width;
DROP INDEX IF EXISTS images_by_height;
CREATE INDEX images_by_width   ON images (dataset_id, COALESCE(width, -1), id);
CREATE INDEX images_by_height  ON images (dataset_id, COALESCE(height, -1), id);
CREATE INDEX images_by_added   ON images (dataset_id, id);
CREATE INDEX images_all_name   ON images (file_name, id);
CREATE INDEX images_all_folder ON images (folder, file_name, id);
CREATE INDEX images_all_status ON images (status, id);
CREATE INDEX images_all_width  ON images (COALESCE(width, -1), id);
CREATE INDEX images_all_height ON images (COALESCE(height, -1), id);
`)
  }
}
