import fs from 'node:fs'
import type { CoreContext } from '../context'
import { GlossaError } from '../../shared/errors'
import type { ImportFormatOptions, ResolvedImportFormat } from '../../shared/api'
import { loadCaptionSource } from './formats'
import { examineItem, ListingCache, mapLimit, type ItemOutcome } from './item'
import { scanFolder } from './scan'
import { writeBatch } from './store'
import type { CaptionSource } from './formats'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../jobs/runner'

/** Files examined per transaction, and how many are read/decoded at once. */
export const IMPORT_BATCH = 64
export const IMPORT_CONCURRENCY = 3

export interface ImportParams {
  root: string
  datasetId: number
  /** resolved at import.start ('auto' detected there); absent in older jobs = folder */
  format: ResolvedImportFormat
  formatOptions: ImportFormatOptions
}

function parseParams(p: Record<string, unknown>): ImportParams {
  const { root, datasetId, format, formatOptions } = p
  if (typeof root !== 'string' || typeof datasetId !== 'number')
    throw new GlossaError('INVALID_ARGS', 'import job: params need root and datasetId')
  return {
    root,
    datasetId,
    format: typeof format === 'string' ? (format as ResolvedImportFormat) : 'folder',
    formatOptions:
      typeof formatOptions === 'object' && formatOptions !== null
        ? (formatOptions as ImportFormatOptions)
        : {}
  }
}

/**
 * Phase 'scan' walks the folder and records one job item per image path (and stores the scan's
 * problem paths — symlink loops, FIFOs — as error rows). The phase label 'import' is persisted
 * only once every item is recorded, so a job killed mid-scan rescans from scratch on resume.
 * Phase 'import' then works through pending items in batches; each batch's rows and item marks
 * commit in one transaction, which is what makes a SIGKILL at any moment safe.
 */
export const importJob: JobKindImpl = {
  kind: 'import',
  async run(ctx: CoreContext, job, control) {
    const { db } = ctx
    const { root, datasetId, format, formatOptions } = parseParams(job.params)
    const actor = ctx.actor()
    const persisted = db
      .prepare('SELECT phase, done, failed FROM jobs WHERE id = ?')
      .get(job.id) as {
      phase: string
      done: number
      failed: number
    }

    let source: CaptionSource | undefined
    if (persisted.phase !== 'import') {
      control.setPhase('scan', 0)
      db.prepare('DELETE FROM job_items WHERE job_id = ?').run(job.id)
      const keys: string[] = []
      const problems: { index: number; path: string; reason: string }[] = []
      const exclude = new Set<string>()
      for (const d of [ctx.dataDir, ctx.cacheDir, ctx.backupDir]) {
        try {
          exclude.add(await fs.promises.realpath(d))
        } catch {
          // not created yet: nothing to exclude
        }
      }
      for await (const entry of scanFolder(root, control.signal, exclude)) {
        if (entry.error)
          problems.push({ index: keys.length, path: entry.path, reason: entry.error })
        keys.push(entry.path)
        if (keys.length % 1000 === 0) control.setTotal(keys.length)
      }
      if (control.signal.aborted) return
      // The format reads its metadata now, so per-row mismatches are recorded with the scan.
      const bad = new Set(problems.map((p) => p.index))
      const found = keys.filter((_, i) => !bad.has(i))
      source = await loadCaptionSource(root, format, formatOptions, found)
      addJobItems(db, job.id, keys)
      // Items were numbered 1..n (the table was emptied above).
      const outcomes: ItemOutcome[] = problems.map((p) => ({
        kind: 'error',
        seq: p.index + 1,
        path: p.path,
        reason: p.reason,
        bytes: 0,
        mtimeMs: 0
      }))
      if (outcomes.length) writeBatch(db, job.id, datasetId, root, outcomes, actor)
      const rows = source.problems
      if (rows.length) {
        // Mismatched rows have no image: failed items with the row as key, numbered after them.
        addJobItems(
          db,
          job.id,
          rows.map((r) => r.key)
        )
        db.transaction(() => {
          rows.forEach((r, i) => markJobItem(db, job.id, keys.length + i + 1, 'failed', r.reason))
        })()
      }
      control.setPhase('import', keys.length + rows.length)
    }

    // Bring the runner's counters in line with the items (its persisted counts are throttled).
    const counts = countJobItems(db, job.id)
    control.setPhase('import', counts.total)
    control.advance(counts.done - persisted.done, counts.failed - persisted.failed)

    if (!source) {
      // Resumed: rebuild the source from the recorded image paths (rows were recorded already).
      const all = (
        db.prepare('SELECT key FROM job_items WHERE job_id = ? ORDER BY seq').all(job.id) as {
          key: string
        }[]
      ).map((r) => r.key)
      source = await loadCaptionSource(root, format, formatOptions, all)
    }
    const listings = new ListingCache()
    const deps = { db, datasetId, listings, source }
    let afterSeq = 0
    for (;;) {
      if (control.signal.aborted) return
      const items = pendingJobItems(db, job.id, afterSeq, IMPORT_BATCH)
      if (items.length === 0) break
      afterSeq = items[items.length - 1]!.seq
      const outcomes = await mapLimit(items, IMPORT_CONCURRENCY, (it) =>
        examineItem(deps, it.seq, it.key)
      )
      if (!db.open) return
      const res = writeBatch(db, job.id, datasetId, root, outcomes, actor)
      for (const o of outcomes) {
        const failed = o.kind === 'error' || (o.kind === 'ok' && o.sidecarError !== undefined)
        control.advance(failed ? 0 : 1, failed ? 1 : 0)
      }
      if (res.imageIds.length)
        ctx.emit('library.changed', {
          datasetId,
          datasetIds: [datasetId],
          imageIds: null,
          kinds: ['datasets', 'images', 'captions', 'tags'],
          reason: 'import'
        })
    }
  }
}
