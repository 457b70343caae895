/**
 * The 'export' job: loads the dataset's images from the database, runs the export engine
 * (core/export runExport) with the job's AbortSignal and throttled progress, and stores the
 * result — counts, renames, skips, warnings and the validation report — in export_reports.
 * A cancelled or interrupted export leaves no destination (the engine stages and renames); a
 * resumed one starts again from scratch.
 */
import type { Database } from 'better-sqlite3'
import type { ExportReport, ImageFilter } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { prepared } from '../db/statements'
import { pageImages } from '../images/queries'
import { ExportProfile, runExport, type ExportImage, type ExportResult } from './'
import { FLAG_REG } from '../import/store'
import type { JobKindImpl } from '../jobs/runner'
import { cleanStaleStaging, realpathLoose } from './safety'

export interface ExportJobParams {
  datasetId: number
  profile: ExportProfile
  destination: string
  filter?: ImageFilter
}

interface Row {
  id: number
  path: string
  root: string
  concept: string
  repeats: number | null
  flags: number
  status: ExportImage['status']
  sha256: string | null
  bytes: number
  mtime_ms: number
  zh: string | null
  en: string | null
  tags: string
}

const SELECT = `
  SELECT i.id, i.path, i.root, i.concept, i.repeats, i.flags, i.status, i.sha256, i.bytes, i.mtime_ms,
         (SELECT c.text FROM captions c WHERE c.image_id = i.id AND c.lang = 'zh') AS zh,
         (SELECT c.text FROM captions c WHERE c.image_id = i.id AND c.lang = 'en') AS en,
         (SELECT json_group_array(tag) FROM (SELECT t.tag FROM tags t WHERE t.image_id = i.id
                                              ORDER BY t.position)) AS tags
    FROM images i`

/** The exportable images (no import error) of a dataset, narrowed by a grid filter. */
export function loadExportImages(
  db: Database,
  datasetId: number,
  filter?: ImageFilter
): { images: ExportImage[]; roots: string[] } {
  if (!prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(datasetId))
    throw new GlossaError('NOT_FOUND', `dataset ${datasetId} does not exist`)
  let rows: Row[]
  if (filter && Object.keys(filter).some((k) => k !== 'datasetId')) {
    const ids: number[] = []
    let cursor: string | null = null
    do {
      const page = pageImages(db, {
        filter: { ...filter, datasetId, hasError: false },
        sort: { key: 'added', dir: 'asc' },
        cursor,
        limit: 1000,
        withTotal: false
      })
      for (const r of page.rows) ids.push(r.id)
      cursor = page.nextCursor
    } while (cursor)
    rows = prepared(
      db,
      `${SELECT} WHERE i.id IN (SELECT value FROM json_each(?)) AND i.error IS NULL ORDER BY i.id`
    ).all(JSON.stringify(ids)) as Row[]
  } else {
    rows = prepared(db, `${SELECT} WHERE i.dataset_id = ? AND i.error IS NULL ORDER BY i.id`).all(
      datasetId
    ) as Row[]
  }
  const roots = new Set<string>()
  const images = rows.map((r): ExportImage => {
    roots.add(r.root)
    return {
      id: r.id,
      path: r.path,
      concept: r.concept,
      repeats: r.repeats,
      isReg: (r.flags & FLAG_REG) !== 0,
      status: r.status,
      zh: r.zh ?? '',
      en: r.en ?? '',
      tags: JSON.parse(r.tags) as string[],
      sha256: r.sha256,
      bytes: r.bytes,
      mtimeMs: r.mtime_ms
    }
  })
  return { images, roots: [...roots] }
}

export function reportFrom(jobId: number, r: ExportResult): ExportReport {
  return {
    jobId,
    destination: r.destination,
    format: r.format,
    exported: r.exported,
    skipped: r.skipped,
    renamed: r.renamed,
    warnings: r.warnings,
    linkFallbacks: r.linkFallbacks,
    files: r.files,
    bytes: r.bytes,
    validation: r.validation,
    finishedAt: Date.now()
  }
}

function parseParams(p: Record<string, unknown>): ExportJobParams {
  const { datasetId, profile, destination, filter } = p
  if (typeof datasetId !== 'number' || typeof destination !== 'string' || !profile)
    throw new GlossaError('INVALID_ARGS', 'export job: params need datasetId, profile, destination')
  return {
    datasetId,
    profile: ExportProfile.parse(profile),
    destination,
    filter: filter as ImageFilter | undefined
  }
}

export const exportJob: JobKindImpl = {
  kind: 'export',
  /** a killed export's staging folder goes as soon as its job is reclaimed (not at the next export) */
  async reclaimed(_ctx, job) {
    const destination = (job.params as Partial<ExportJobParams>).destination
    if (typeof destination === 'string' && destination.trim())
      await cleanStaleStaging(await realpathLoose(destination))
  },
  async run(ctx: CoreContext, job, control) {
    const { db } = ctx
    const params = parseParams(job.params)
    const { images, roots } = loadExportImages(db, params.datasetId, params.filter)
    db.prepare('DELETE FROM export_reports WHERE job_id = ?').run(job.id)
    let phase = ''
    let done = 0
    control.setPhase('check', 0)
    const persisted = db.prepare('SELECT done FROM jobs WHERE id = ?').get(job.id) as {
      done: number
    }
    // a resumed export starts over: bring the counter back to zero
    if (persisted.done > 0) control.advance(-persisted.done)
    let result: ExportResult
    try {
      result = await runExport({
        images,
        profile: params.profile,
        destination: params.destination,
        sourceRoots: roots,
        signal: control.signal,
        onProgress: (p) => {
          if (p.phase !== phase) {
            phase = p.phase
            control.setPhase(p.phase, p.phase === 'images' ? p.total : undefined)
          }
          if (p.phase === 'images' && p.done > done) {
            control.advance(p.done - done)
            done = p.done
          }
        }
      })
    } catch (err) {
      if (control.signal.aborted) return
      throw err
    }
    const report = reportFrom(job.id, result)
    db.prepare('INSERT INTO export_reports (job_id, report, created_at) VALUES (?, ?, ?)').run(
      job.id,
      JSON.stringify(report),
      Date.now()
    )
    control.setPhase(result.validation.ok ? 'validated' : 'validation-errors')
  }
}
