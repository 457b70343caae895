/** SQL of import.* handlers (the import job's own SQL lives with the job and store.ts). */
import type { ReadableDB } from '../db/types'
import { prepared } from '../db/statements'

/** The newest import of `root` into the dataset that has not finished (to resume it). */
export function unfinishedImport(db: ReadableDB, datasetId: number, root: string): number | null {
  const row = prepared(
    db,
    `SELECT id FROM jobs
      WHERE kind = 'import' AND dataset_id = ? AND status IN ('interrupted','queued','running')
        AND json_extract(params, '$.root') = ?
      ORDER BY id DESC LIMIT 1`
  ).get(datasetId, root) as { id: number } | undefined
  return row?.id ?? null
}
