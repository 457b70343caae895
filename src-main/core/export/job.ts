/**
 * The 'export' job: loads the dataset's images from the database, runs the export engine
 * (core/export runExport) with the job's AbortSignal and throttled progress, and stores the
 * result — counts, renames, skips, warnings and the validation report — in export_reports.
 * A cancelled or interrupted export leaves no destination (the engine stages and renames); a
 * resumed one starts again from scratch.
 */
import type { ReadableDB } from '../db/types'
import type { ExportReport, ImageFilter } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { pageImages } from '../images/queries'
import { ExportProfile, runExport, type ExportImage, type ExportResult } from './'
import { FLAG_REG } from '../import/store'
import type { JobKindImpl } from '../jobs/runner'
import {
  datasetExists,
  datasetImages,
  deleteReport,
  imagesByIds,
  insertReport,
  jobDone,
  type ExportImageRow
} from './queries'
import { cleanStaleStaging, realpathLoose } from './safety'

export interface ExportJobParams {
  datasetId: number
  profile: ExportProfile
  destination: string
  filter?: ImageFilter
}

/** The exportable images (no import error) of a dataset, narrowed by a grid filter. */
export function loadExportImages(
  db: ReadableDB,
  datasetId: number,
  filter?: ImageFilter
): { images: ExportImage[]; roots: string[] } {
  if (!datasetExists(db, datasetId))
    throw new GlossaError('NOT_FOUND', `dataset ${datasetId} does not exist`)
  let rows: ExportImageRow[]
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
    rows = imagesByIds(db, ids)
  } else {
    rows = datasetImages(db, datasetId)
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
    captions: r.captions,
    portability: r.portability,
    timings: r.timings,
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
    deleteReport(db, job.id)
    let phase = ''
    let done = 0
    control.setPhase('check', 0)
    const persisted = jobDone(db, job.id)
    // a resumed export starts over: bring the counter back to zero
    if (persisted > 0) control.advance(-persisted)
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
    insertReport(db, job.id, JSON.stringify(report), Date.now())
    control.setPhase(result.validation.ok ? 'validated' : 'validation-errors')
  }
}
