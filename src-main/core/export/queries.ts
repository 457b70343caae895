/**
 * The export domain's SQL: saved profiles, the exportable images of a dataset, the stored
 * reports and the "is another export writing there" check. Every statement is compiled once per
 * connection (prepared).
 */
import type { ReadableDB, WritableDB } from '../db/types'
import { prepared } from '../db/statements'

export interface ProfileRow {
  id: number
  name: string
  profile: string
  created_at: number
  updated_at: number
}

export const profileById = (db: ReadableDB, id: number): ProfileRow | undefined =>
  prepared(db, 'SELECT * FROM export_profiles WHERE id = ?').get(id) as ProfileRow | undefined

export const allProfiles = (db: ReadableDB): ProfileRow[] =>
  prepared(db, 'SELECT * FROM export_profiles ORDER BY name COLLATE NOCASE').all() as ProfileRow[]

export const profileIdByName = (db: ReadableDB, name: string): number | undefined =>
  (
    prepared(db, 'SELECT id FROM export_profiles WHERE name = ?').get(name) as
      { id: number } | undefined
  )?.id

export function updateProfile(
  db: WritableDB,
  id: number,
  name: string,
  profile: string,
  now: number
): void {
  prepared(db, 'UPDATE export_profiles SET name = ?, profile = ?, updated_at = ? WHERE id = ?').run(
    name,
    profile,
    now,
    id
  )
}

export const insertProfile = (db: WritableDB, name: string, profile: string, now: number): number =>
  Number(
    prepared(
      db,
      'INSERT INTO export_profiles (name, profile, created_at, updated_at) VALUES (?, ?, ?, ?)'
    ).run(name, profile, now, now).lastInsertRowid
  )

export const deleteProfile = (db: WritableDB, id: number): boolean =>
  prepared(db, 'DELETE FROM export_profiles WHERE id = ?').run(id).changes > 0

/** An export job still queued or running into `destination`, if any. */
export const busyExportInto = (db: ReadableDB, destination: string): number | undefined =>
  (
    prepared(
      db,
      `SELECT id FROM jobs WHERE kind = 'export' AND status IN ('queued','running')
         AND json_extract(params, '$.destination') = ?`
    ).get(destination) as { id: number } | undefined
  )?.id

export const reportOf = (db: ReadableDB, jobId: number): string | undefined =>
  (
    prepared(db, 'SELECT report FROM export_reports WHERE job_id = ?').get(jobId) as
      { report: string } | undefined
  )?.report

export function deleteReport(db: WritableDB, jobId: number): void {
  prepared(db, 'DELETE FROM export_reports WHERE job_id = ?').run(jobId)
}

export function insertReport(db: WritableDB, jobId: number, report: string, now: number): void {
  prepared(db, 'INSERT INTO export_reports (job_id, report, created_at) VALUES (?, ?, ?)').run(
    jobId,
    report,
    now
  )
}

/** The persisted progress counter of a job (a resumed export starts it over). */
export const jobDone = (db: ReadableDB, jobId: number): number =>
  (prepared(db, 'SELECT done FROM jobs WHERE id = ?').get(jobId) as { done: number }).done

export const datasetExists = (db: ReadableDB, datasetId: number): boolean =>
  prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(datasetId) !== undefined

export interface ExportImageRow {
  id: number
  path: string
  root: string
  concept: string
  repeats: number | null
  flags: number
  status: 'unreviewed' | 'approved' | 'rejected' | 'needs-work'
  sha256: string | null
  bytes: number
  mtime_ms: number
  zh: string | null
  en: string | null
  tags: string
}

const SELECT_IMAGES = `
  SELECT i.id, i.path, i.root, i.concept, i.repeats, i.flags, i.status, i.sha256, i.bytes, i.mtime_ms,
         (SELECT c.text FROM captions c WHERE c.image_id = i.id AND c.lang = 'zh') AS zh,
         (SELECT c.text FROM captions c WHERE c.image_id = i.id AND c.lang = 'en') AS en,
         (SELECT json_group_array(tag) FROM (SELECT t.tag FROM tags t WHERE t.image_id = i.id
                                              ORDER BY t.position)) AS tags
    FROM images i`

/** The images of a dataset without an import error, with their captions and tags. */
export const datasetImages = (db: ReadableDB, datasetId: number): ExportImageRow[] =>
  prepared(db, `${SELECT_IMAGES} WHERE i.dataset_id = ? AND i.error IS NULL ORDER BY i.id`).all(
    datasetId
  ) as ExportImageRow[]

/** The same for a list of ids (a grid filter's result). */
export const imagesByIds = (db: ReadableDB, ids: readonly number[]): ExportImageRow[] =>
  prepared(
    db,
    `${SELECT_IMAGES} WHERE i.id IN (SELECT value FROM json_each(?)) AND i.error IS NULL ORDER BY i.id`
  ).all(JSON.stringify(ids)) as ExportImageRow[]
