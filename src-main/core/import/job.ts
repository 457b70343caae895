import fs from 'node:fs'
import type { CoreContext } from '../context'
import { GlossaError } from '../../shared/errors'
import type { ImportFormatOptions, ResolvedImportFormat } from '../../shared/api'
import { loadCaptionSource } from './formats'
import { examineItem, ListingCache, type ItemOutcome } from './item'
import { scanFolder } from './scan'
import { writeBatch } from './store'
import { startWriterThread, writerHere, type BatchTarget, type BatchWriter } from './writer'
import type { CaptionSource } from './formats'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../jobs/runner'
import { deleteJobItems, jobItemRows, jobProgressRow } from '../jobs/queries'

/** Files examined per transaction, and how many are read/decoded at once. */
export const IMPORT_BATCH = 64
export const IMPORT_CONCURRENCY = 3
/** Batches at most waiting for the writer thread while the next files are read. */
const WRITES_AHEAD = 8
/** Shortest time between two announcements of new rows (library.changed) during an import. */
const CHANGE_INTERVAL_MS = 500
/** Paths the scan records per transaction. */
const SCAN_CHUNK = 2000

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

/** Runs at most `n` of the functions given to it at once, in the order they were given. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return (fn) =>
    new Promise((resolve, reject) => {
      const start = () => {
        active++
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--
            waiting.shift()?.()
          })
      }
      if (active < n) start()
      else waiting.push(start)
    })
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
    const params = parseParams(job.params)
    const target = {
      jobId: job.id,
      datasetId: params.datasetId,
      root: params.root,
      actor: ctx.actor()
    }
    // The writer thread starts up while the folder is scanned.
    const writerStart = ctx.db.memory
      ? Promise.resolve(null)
      : startWriterThread(ctx.libraryFile, ctx.nativeBinding, target)
    try {
      await runImport(ctx, job, control, params, target, writerStart)
    } finally {
      await (await writerStart)?.close()
    }
  }
}

async function runImport(
  ctx: CoreContext,
  job: Parameters<JobKindImpl['run']>[1],
  control: Parameters<JobKindImpl['run']>[2],
  { root, datasetId, format, formatOptions }: ImportParams,
  target: BatchTarget,
  writerStart: Promise<BatchWriter | null>
): Promise<void> {
  const { db } = ctx
  const { actor } = target
  const persisted = jobProgressRow(db, job.id)

  let source: CaptionSource | undefined
  if (persisted.phase !== 'import') {
    control.setPhase('scan', 0)
    deleteJobItems(db, job.id)
    // Paths go to job_items as they are found, a chunk at a time: the scan holds one chunk,
    // not the whole folder (a million paths would be ~150 MB of strings).
    let chunk: string[] = []
    let count = 0
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
      if (entry.error) problems.push({ index: count, path: entry.path, reason: entry.error })
      chunk.push(entry.path)
      count++
      if (chunk.length === SCAN_CHUNK) {
        addJobItems(db, job.id, chunk)
        chunk = []
        control.setTotal(count)
      }
    }
    if (control.signal.aborted) return
    addJobItems(db, job.id, chunk)
    chunk = []
    // The format reads its metadata now, so per-row mismatches are recorded with the scan. Only
    // kohya folders and metadata files need the list of image paths (a folder import does not).
    const bad = new Set(problems.map((p) => p.index + 1))
    const found =
      format === 'folder'
        ? []
        : jobItemRows(db, job.id)
            .filter((r) => !bad.has(r.seq))
            .map((r) => r.key)
    source = await loadCaptionSource(root, format, formatOptions, found)
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
        rows.forEach((r, i) => markJobItem(db, job.id, count + i + 1, 'failed', r.reason))
      })()
    }
    control.setPhase('import', count + rows.length)
  }

  // Bring the runner's counters in line with the items (its persisted counts are throttled).
  const counts = countJobItems(db, job.id)
  control.setPhase('import', counts.total)
  control.advance(counts.done - persisted.done, counts.failed - persisted.failed)

  if (!source) {
    // Resumed: rebuild the source from the recorded image paths (rows were recorded already;
    // a folder import needs none of them)
    const all = format === 'folder' ? [] : jobItemRows(db, job.id).map((r) => r.key)
    source = await loadCaptionSource(root, format, formatOptions, all)
  }
  const listings = new ListingCache()
  const deps = { db, datasetId, listings, source }
  const writer = (await writerStart) ?? writerHere(db, target)
  // A pipeline: IMPORT_CONCURRENCY examinations are always in flight, across batch boundaries,
  // and keep going (reads, hashes and decodes run off the main thread) while finished batches
  // are written by the writer thread (writer.ts); outcomes are written in item order,
  // IMPORT_BATCH per transaction, at most WRITES_AHEAD batches waiting for the writer.
  const slot = limiter(IMPORT_CONCURRENCY)
  const inflight: Promise<ItemOutcome>[] = []
  const writes: Promise<void>[] = []
  let afterSeq = 0
  let listed = false
  const fill = () => {
    while (!listed && inflight.length < IMPORT_BATCH * 2) {
      const items = pendingJobItems(db, job.id, afterSeq, IMPORT_BATCH)
      if (items.length === 0) listed = true
      else afterSeq = items[items.length - 1]!.seq
      for (const it of items) {
        const p = slot(() => examineItem(deps, it.seq, it.key))
        // awaited below in order; a rejection before then is not "unhandled"
        p.catch(() => undefined)
        inflight.push(p)
      }
    }
  }
  // New rows are announced after the first batch, then at most every CHANGE_INTERVAL_MS and
  // once at the end: each announcement makes the studio re-read what it shows, work that
  // would otherwise compete with the import a batch at a time.
  let changed = false
  let lastChange = 0
  const announce = (force: boolean) => {
    const now = performance.now()
    if (!changed || (!force && now - lastChange < CHANGE_INTERVAL_MS)) return
    changed = false
    lastChange = now
    ctx.emit('library.changed', {
      datasetId,
      datasetIds: [datasetId],
      imageIds: null,
      kinds: ['datasets', 'images', 'captions', 'tags'],
      reason: 'import'
    })
  }
  const written = (outcomes: ItemOutcome[], images: number) => {
    for (const o of outcomes) {
      const failed = o.kind === 'error' || (o.kind === 'ok' && o.sidecarError !== undefined)
      control.advance(failed ? 0 : 1, failed ? 1 : 0)
    }
    if (images) {
      changed = true
      announce(false)
    }
  }
  try {
    for (;;) {
      if (control.signal.aborted) return
      fill()
      if (inflight.length === 0) break
      const outcomes = await Promise.all(inflight.splice(0, IMPORT_BATCH))
      if (control.signal.aborted) return
      fill()
      if (!db.open) return
      const w = writer.write(outcomes).then((images) => written(outcomes, images))
      // awaited below in order; a rejection before then is not "unhandled"
      w.catch(() => undefined)
      writes.push(w)
      while (writes.length > WRITES_AHEAD) await writes.shift()
    }
    while (writes.length) await writes.shift()
  } finally {
    // a stop (cancel, shutdown) or a failure lets the batches already sent commit first, so
    // the job's counts match its items when the runner records its end
    await Promise.allSettled(writes)
    announce(true)
  }
}
