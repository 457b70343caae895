import type { ReadableDB, WritableDB } from '../db/types'
import type { DatasetSummary, IncompleteImport, LibraryStats, ReviewStatus } from '../../shared/api'
import { REVIEW_STATUSES } from '../../shared/api'
import { prepared } from '../db/statements'
import { SUMMARY_STATUSES, statusColumn } from '../db/migrations/0012-summaries'

/**
 * Dataset and library counts, read from the summary rows of migration 0012 (dataset_stats,
 * dataset_concepts, tag_counts), which triggers keep current in the same transaction as every
 * change: each read is O(datasets) or O(distinct values), never a scan of the images. byStatus
 * counts good rows only (an import error is not reviewable), so the statuses add up to
 * images − errors.
 */
interface DatasetRow {
  id: number
  name: string
  created_at: number
}

function emptyStatus(): Record<ReviewStatus, number> {
  return Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<ReviewStatus, number>
}

const STAT_COLS = `images, errors, bytes, tagged, cap_zh, cap_en, empty_zh, empty_en, ${SUMMARY_STATUSES.map(
  (s) => `st_${statusColumn(s)}, er_${statusColumn(s)}`
).join(', ')}`

export interface DatasetStatsRow {
  dataset_id: number
  images: number
  errors: number
  bytes: number
  tagged: number
  cap_zh: number
  cap_en: number
  empty_zh: number
  empty_en: number
  [status: string]: number
}

/** The summary row of each dataset (or of one), keyed by dataset id. */
export function datasetStatsRows(db: ReadableDB, datasetId?: number): Map<number, DatasetStatsRow> {
  const rows = (
    datasetId === undefined
      ? prepared(db, `SELECT dataset_id, ${STAT_COLS} FROM dataset_stats`).all()
      : prepared(db, `SELECT dataset_id, ${STAT_COLS} FROM dataset_stats WHERE dataset_id = ?`).all(
          datasetId
        )
  ) as DatasetStatsRow[]
  return new Map(rows.map((r) => [r.dataset_id, r]))
}

/** Images per review status of a summary row: every row (`all`) or the reviewable ones. */
export function statusCounts(
  r: DatasetStatsRow | undefined,
  all = false
): Record<ReviewStatus, number> {
  const out = emptyStatus()
  if (!r) return out
  for (const s of REVIEW_STATUSES) {
    const c = statusColumn(s)
    out[s] = r[`st_${c}`]! - (all ? 0 : r[`er_${c}`]!)
  }
  return out
}

export function summarize(db: ReadableDB, rows: DatasetRow[]): DatasetSummary[] {
  const out = new Map<number, DatasetSummary>()
  if (rows.length === 0) return []
  const one = rows.length === 1 ? rows[0]!.id : null
  const args = one === null ? [] : [one]
  const stats = datasetStatsRows(db, one ?? undefined)
  for (const r of rows) {
    const st = stats.get(r.id)
    out.set(r.id, {
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      images: st?.images ?? 0,
      errors: st?.errors ?? 0,
      byStatus: statusCounts(st),
      captioned: { zh: st?.cap_zh ?? 0, en: st?.cap_en ?? 0 }
    })
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
    `SELECT concept, repeats, n AS count FROM dataset_concepts
      WHERE dataset_id = ? AND n > 0 ORDER BY concept, repeats`
  ).all(datasetId) as { concept: string; repeats: number | null; count: number }[]
}

export function libraryStats(db: ReadableDB, datasetId?: number): LibraryStats {
  const datasets =
    datasetId === undefined
      ? (prepared(db, 'SELECT count(*) AS n FROM datasets').get() as { n: number }).n
      : findDataset(db, { id: datasetId })
        ? 1
        : 0
  const stats: LibraryStats = {
    datasets,
    images: 0,
    errors: 0,
    byStatus: emptyStatus(),
    captioned: { zh: 0, en: 0 },
    tags: 0,
    bytes: 0
  }
  if (datasets === 0) return stats
  for (const r of datasetStatsRows(db, datasetId).values()) {
    stats.images += r.images
    stats.errors += r.errors
    stats.bytes += r.bytes
    const st = statusCounts(r)
    for (const k of REVIEW_STATUSES) stats.byStatus[k] += st[k]
    stats.captioned.zh += r.cap_zh
    stats.captioned.en += r.cap_en
  }
  // distinct tags in use
  stats.tags = (
    prepared(
      db,
      datasetId === undefined
        ? 'SELECT count(DISTINCT tag) AS n FROM tag_counts WHERE n > 0'
        : 'SELECT count(*) AS n FROM tag_counts WHERE dataset_id = ? AND n > 0'
    ).get(...(datasetId === undefined ? [] : [datasetId])) as { n: number }
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
