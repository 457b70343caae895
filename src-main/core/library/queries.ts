import type { ReadableDB, WritableDB } from '../db/types'
import type {
  DatasetSummary,
  IncompleteImport,
  Lang,
  LibraryStats,
  ReviewStatus
} from '../../shared/api'
import { REVIEW_STATUSES } from '../../shared/api'
import { prepared } from '../db/statements'

/**
 * Dataset and library counts with a handful of GROUP BY queries over covering indexes:
 * statuses from images_by_status, errors from the partial images_errors index, captions from
 * the captions primary key. byStatus counts good rows only (an import error is not reviewable),
 * so the statuses add up to images − errors.
 */
interface DatasetRow {
  id: number
  name: string
  created_at: number
}

function emptyStatus(): Record<ReviewStatus, number> {
  return Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<ReviewStatus, number>
}

export function summarize(db: ReadableDB, rows: DatasetRow[]): DatasetSummary[] {
  const out = new Map<number, DatasetSummary>()
  for (const r of rows)
    out.set(r.id, {
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      images: 0,
      errors: 0,
      byStatus: emptyStatus(),
      captioned: { zh: 0, en: 0 }
    })
  if (rows.length === 0) return []
  const one = rows.length === 1 ? rows[0]!.id : null
  const where = one === null ? '' : 'WHERE dataset_id = ?'
  const args = one === null ? [] : [one]
  const byStatus = prepared(
    db,
    `SELECT dataset_id AS d, status AS s, count(*) AS n FROM images ${where} GROUP BY dataset_id, status`
  ).all(...args) as { d: number; s: ReviewStatus; n: number }[]
  for (const r of byStatus) {
    const sum = out.get(r.d)
    if (!sum) continue
    sum.images += r.n
    sum.byStatus[r.s] = (sum.byStatus[r.s] ?? 0) + r.n
  }
  // the partial index holds only error rows: only those are looked up for their status
  const errs = prepared(
    db,
    `SELECT dataset_id AS d, status AS s, count(*) AS n FROM images INDEXED BY images_errors
      WHERE error IS NOT NULL ${one === null ? '' : 'AND dataset_id = ?'} GROUP BY dataset_id, status`
  ).all(...args) as { d: number; s: ReviewStatus; n: number }[]
  for (const r of errs) {
    const sum = out.get(r.d)
    if (!sum) continue
    sum.errors += r.n
    sum.byStatus[r.s] -= r.n
  }
  // captions carry no dataset id: walk the images by (dataset_id, id) and look their captions up
  const caps = prepared(
    db,
    `SELECT i.dataset_id AS d, c.lang AS l, count(*) AS n
       FROM images i INDEXED BY images_by_added JOIN captions c ON c.image_id = i.id
      WHERE c.text <> '' ${one === null ? '' : 'AND i.dataset_id = ?'} GROUP BY i.dataset_id, c.lang`
  ).all(...args) as { d: number; l: Lang; n: number }[]
  for (const r of caps) {
    const sum = out.get(r.d)
    if (sum) sum.captioned[r.l] = r.n
  }
  // the newest import of each dataset, when it did not finish
  const imports = prepared(
    db,
    `SELECT j.dataset_id AS d, j.id, j.status, json_extract(j.params, '$.root') AS dir, j.done,
            j.failed, j.total, j.error
       FROM jobs j JOIN (SELECT dataset_id, max(id) AS id FROM jobs WHERE kind = 'import'
                          ${one === null ? '' : 'AND dataset_id = ?'} GROUP BY dataset_id) last
         ON last.id = j.id
      WHERE j.status <> 'done'`
  ).all(...args) as {
    d: number
    id: number
    status: IncompleteImport['status']
    dir: string | null
    done: number
    failed: number
    total: number
    error: string | null
  }[]
  for (const r of imports) {
    const sum = out.get(r.d)
    if (sum)
      sum.incompleteImport = {
        jobId: r.id,
        status: r.status,
        dir: r.dir,
        done: r.done,
        failed: r.failed,
        total: r.total,
        error: r.error
      }
  }
  return rows.map((r) => out.get(r.id)!)
}

export function listDatasets(db: ReadableDB): DatasetSummary[] {
  const rows = prepared(
    db,
    'SELECT id, name, created_at FROM datasets ORDER BY name COLLATE NOCASE, id'
  ).all() as DatasetRow[]
  return summarize(db, rows)
}

export function findDataset(
  db: ReadableDB,
  by: { id?: number; name?: string }
): DatasetRow | undefined {
  if (by.id !== undefined)
    return prepared(db, 'SELECT id, name, created_at FROM datasets WHERE id = ?').get(by.id) as
      DatasetRow | undefined
  return prepared(db, 'SELECT id, name, created_at FROM datasets WHERE name = ?').get(by.name) as
    DatasetRow | undefined
}

export function datasetSummary(db: ReadableDB, id: number): DatasetSummary | undefined {
  const row = findDataset(db, { id })
  return row ? summarize(db, [row])[0] : undefined
}

export function concepts(
  db: ReadableDB,
  datasetId: number
): { concept: string; repeats: number | null; count: number }[] {
  return prepared(
    db,
    `SELECT concept, repeats, count(*) AS count FROM images WHERE dataset_id = ?
      GROUP BY concept, repeats ORDER BY concept, repeats`
  ).all(datasetId) as { concept: string; repeats: number | null; count: number }[]
}

export function libraryStats(db: ReadableDB, datasetId?: number): LibraryStats {
  const sums =
    datasetId === undefined
      ? listDatasets(db)
      : (() => {
          const s = datasetSummary(db, datasetId)
          return s ? [s] : []
        })()
  const stats: LibraryStats = {
    datasets: sums.length,
    images: 0,
    errors: 0,
    byStatus: emptyStatus(),
    captioned: { zh: 0, en: 0 },
    tags: 0,
    bytes: 0
  }
  for (const s of sums) {
    stats.images += s.images
    stats.errors += s.errors
    for (const k of REVIEW_STATUSES) stats.byStatus[k] += s.byStatus[k]
    stats.captioned.zh += s.captioned.zh
    stats.captioned.en += s.captioned.en
  }
  const where = datasetId === undefined ? '' : 'WHERE i.dataset_id = ?'
  const args = datasetId === undefined ? [] : [datasetId]
  stats.bytes = (
    prepared(db, `SELECT COALESCE(sum(i.bytes), 0) AS n FROM images i ${where}`).get(...args) as {
      n: number
    }
  ).n
  // distinct tags in use
  stats.tags = (
    prepared(
      db,
      datasetId === undefined
        ? 'SELECT count(DISTINCT tag) AS n FROM tags'
        : 'SELECT count(DISTINCT t.tag) AS n FROM tags t JOIN images i ON i.id = t.image_id WHERE i.dataset_id = ?'
    ).get(...args) as { n: number }
  ).n
  return stats
}

export function readSetting(db: ReadableDB, key: string): unknown {
  const row = prepared(db, 'SELECT value FROM settings WHERE key = ?').get(key) as
    { value: string } | undefined
  return row ? (JSON.parse(row.value) as unknown) : null
}

export function writeSetting(db: WritableDB, key: string, value: unknown): void {
  prepared(
    db,
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
  ).run(key, JSON.stringify(value))
}

export function sqliteVersion(db: ReadableDB): string {
  return (prepared(db, 'SELECT sqlite_version() AS v').get() as { v: string }).v
}

/** Every image id of a dataset, ascending. */
export function imageIdsOf(db: ReadableDB, datasetId: number): number[] {
  return prepared(db, 'SELECT id FROM images WHERE dataset_id = ? ORDER BY id')
    .pluck()
    .all(datasetId) as number[]
}

/** Jobs queued or running on a dataset (they would write into it). */
export function activeJobs(db: ReadableDB, datasetId: number): { id: number; kind: string }[] {
  return prepared(
    db,
    "SELECT id, kind FROM jobs WHERE dataset_id = ? AND status IN ('queued', 'running') ORDER BY id"
  ).all(datasetId) as { id: number; kind: string }[]
}
