/**
 * Job kind 'caption': captions (or tags) a target set of images with one registered model — a
 * tagger, a transformers.js model, or an OpenAI-compatible endpoint.
 *
 * Phase 'select' resolves the target (explicit ids, a dataset, a grid filter — images that failed
 * import are left out) into job items keyed by image id; the phase label 'caption' is persisted
 * only once every item is recorded, so a job killed while selecting selects again on resume.
 *
 * Phase 'caption':
 *  - taggers work through pending items in chunks (batched inference, decode overlapped in the
 *    worker);
 *  - generative models and endpoints pull pending items lazily (pages of PAGE) and keep a bounded
 *    number in flight (forEachBounded): two for a local model (the worker decodes the next image
 *    while the current one generates), the endpoint's concurrency plus a small prefetch for a
 *    server (image preparation overlaps the requests).
 * Every outcome is buffered and flushed within a turn of the event loop, in short IMMEDIATE
 * transactions of a few items (writeRecords), each appended to the job's single journal batch
 * ("Caption with <model>"): an item is marked done in the SAME transaction as its caption and its
 * prompt record, so
 *  - a SIGKILL at any moment loses at most the images in flight, and resume captions (or sends to
 *    a server) no image twice once its caption is stored;
 *  - cancel keeps every finished image (what is buffered is flushed before the job ends);
 *  - history.undo of the run restores every image's previous caption/tags in one step.
 * Per image: skipped when it already has a caption/tags from this model+preset (unless `redo`)
 * or a manual caption/manual tags (unless `overwriteManual`) — checked again inside the write
 * transaction, so an edit made while the model ran is never overwritten; failed with a reason when
 * too small, unreadable, when the answer is unusable, or when a request failed after its retries;
 * the job goes on.
 * The job stops:
 *  - 'interrupted' (resumable, nothing lost) when the inference host crashes, or an endpoint is
 *    unreachable, rate-limits past its retries, or fails too many images in a row;
 *  - 'failed' with the reason in words when the model cannot be used: a folder transformers.js
 *    cannot load (the file named), an endpoint that refuses the key, is out of quota, does not
 *    serve the model, or is misconfigured. Pending images stay pending: fix it and resume.
 * The API key of an endpoint is resolved when the job starts or resumes (plan.ts openModel),
 * never stored in the job's params or the library.
 */
import type { ReadableDB } from '../db/types'
import type { CaptionTarget, ImageFilter } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { appendToBatch, setCaption, setTags, type Batch } from '../db/journal'
import { fieldsJson, readCaption } from '../captions/queries'
import { pageImages } from '../images/queries'
import {
  addJobItems,
  countJobItems,
  JobInterruptedError,
  markJobItem,
  pendingJobItems,
  type JobControl,
  type JobKindImpl,
  type PendingItem
} from '../jobs/runner'
import { EndpointError, forEachBounded } from './endpoint'
import { keepTextField, ocrLangs, ocrSkipReason, writeOcr } from './ocr-run'
import { HostCrashError, ModelError } from './inference/errors'
import type { InferenceHost } from './inference/host'
import {
  captionOne,
  imageInput,
  makePlan,
  openModel,
  promptFor,
  tagImagesOf,
  type ImageInput,
  type ImageOutcome,
  type OpenModel,
  type PlanArgs,
  type RunPlan
} from './plan'
import { captionImageRows, imageUsable, tagSources, writePrompt } from './queries'
import { deleteJobItems, jobBatchId, jobProgressRow, setJobBatch } from '../jobs/queries'

export interface CaptionParams extends PlanArgs {
  target: CaptionTarget
  overwriteManual: boolean
  redo: boolean
}

export function hostOf(ctx: CoreContext): InferenceHost {
  if (!ctx.inference) throw new GlossaError('INTERNAL', 'this core has no inference host')
  return ctx.inference()
}

const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

/** The record of an item whose image was removed from the library since it was selected. */
const gone = (item: PendingItem): WriteRecord => ({
  kind: 'mark',
  seq: item.seq,
  status: 'failed',
  error: `image ${item.key} is no longer in the library`
})

/** Ids looked up / job items inserted between two turns of the event loop. */
const SELECT_SLICE = 2000
/** Pending items read at once by the per-image phase. */
const PAGE = 64
/** Images prepared ahead of an endpoint's free request slots. */
const ENDPOINT_PREFETCH = 2
/** A local model failing this many images in a row stops the job (it is the model, not them). */
const MAX_CONSECUTIVE_MODEL_FAILURES = 10

/** Image ids of a target, in grid order ('added'), without files that failed import. */
export async function resolveTarget(db: ReadableDB, t: CaptionTarget): Promise<number[]> {
  const explicit = t.imageIds ? [...new Set(t.imageIds)] : null
  if (t.datasetId === undefined && t.filter === undefined) {
    const ok: number[] = []
    for (let i = 0; i < explicit!.length; i++) {
      if (i > 0 && i % SELECT_SLICE === 0) await yieldLoop()
      const id = explicit![i]!
      if (imageUsable(db, id)) ok.push(id)
    }
    return ok
  }
  const filter: ImageFilter = { ...(t.filter ?? {}), hasError: false }
  if (t.datasetId !== undefined) filter.datasetId = t.datasetId
  const ids: number[] = []
  let cursor: string | null = null
  do {
    const page = pageImages(db, {
      filter,
      sort: { key: 'added', dir: 'asc' },
      cursor,
      limit: 1000,
      withTotal: false
    })
    for (const r of page.rows) ids.push(r.id)
    cursor = page.nextCursor
    await yieldLoop()
  } while (cursor)
  if (!explicit) return ids
  const wanted = new Set(explicit)
  return ids.filter((id) => wanted.has(id))
}

export type SkipReason = 'skip-manual' | 'skip-same-model'

/** Why a run would leave this image alone, or null when it would write. */
export function skipReason(
  db: ReadableDB,
  plan: RunPlan,
  imageId: number,
  opts: { overwriteManual: boolean; redo: boolean }
): SkipReason | null {
  if (plan.kind === 'ocr') return ocrSkipReason(db, imageId, ocrLangs(plan.args.lang), opts)
  if (plan.kind === 'tagger') {
    const sources = tagSources(db, imageId)
    if (!opts.redo && sources.has(plan.source)) return 'skip-same-model'
    if (!opts.overwriteManual && sources.has('manual')) return 'skip-manual'
    return null
  }
  const cur = readCaption(db, imageId, plan.lang)
  if (!opts.redo && cur?.source === plan.source) return 'skip-same-model'
  if (!opts.overwriteManual && cur?.source === 'manual' && cur.text.trim() !== '')
    return 'skip-manual'
  return null
}

/**
 * Writes one image's result through the journal batch. `wrote` is false when nothing changed;
 * `text` is the caption text written (a caption keeps the in-image text field already there when
 * the model gives none: ocr-run.ts keepTextField).
 */
export function writeOutcome(
  b: Batch,
  plan: RunPlan,
  r: ImageOutcome & { ok: true },
  opts: { overwriteManual: boolean } = { overwriteManual: false }
): { wrote: boolean; text: string | null } {
  if (r.ocr) return { wrote: writeOcr(b, r.id, ocrLangs(plan.args.lang), r.ocr, opts), text: null }
  if (r.tags) {
    if (r.tags.length === 0) return { wrote: false, text: null }
    const wrote = setTags(
      b,
      r.id,
      r.tags.map((t) => ({ tag: t.tag, score: t.score, source: plan.source }))
    )
    return { wrote, text: null }
  }
  if (r.text === null || r.text === '') return { wrote: false, text: null }
  const next = keepTextField(b.db, r.id, plan.lang, { text: r.text, fields: r.fields })
  const wrote = setCaption(b, r.id, plan.lang, {
    text: next.text,
    fields: next.fields ? fieldsJson(next.fields) : null,
    source: plan.source
  })
  return { wrote, text: next.text }
}

function loadImages(db: ReadableDB, items: PendingItem[]): Map<number, ImageInput> {
  const rows = captionImageRows(
    db,
    items.map((it) => Number(it.key))
  )
  return new Map(rows.map((r) => [r.id, imageInput(r)]))
}

function parseParams(p: Record<string, unknown>): CaptionParams {
  if (typeof p.modelId !== 'string' || typeof p.target !== 'object' || p.target === null)
    throw new GlossaError('INVALID_ARGS', 'caption job: params need modelId and target')
  return p as unknown as CaptionParams
}

export function runLabel(plan: RunPlan): string {
  if (plan.kind === 'ocr')
    return `Read the text in images with ${plan.model.name}${plan.args.lang ? ` (${plan.lang})` : ''}`
  return plan.preset
    ? `Caption with ${plan.model.name} (${plan.presetId}, ${plan.lang})`
    : plan.kind === 'tagger'
      ? `Tag with ${plan.model.name}`
      : `Caption with ${plan.model.name} (${plan.lang})`
}

/**
 * A write transaction of the caption phase holds at most WRITE_SLICE items and stops adding items
 * once it writes WRITE_TAGS tags (a tagged image costs ~0.5–1 ms of SQLite work with tens of tags;
 * an image is never split, so one with thousands of tags is a transaction of its own).
 */
const WRITE_SLICE = 4
const WRITE_TAGS = 256

/** Consecutive slices of `records` for writeRecords. */
export function writeSlices<T extends WriteRecord>(records: readonly T[]): T[][] {
  const slices: T[][] = []
  let cur: T[] = []
  let tags = 0
  for (const r of records) {
    cur.push(r)
    if (r.kind === 'outcome' && r.outcome.ok) tags += r.outcome.tags?.length ?? 1
    if (cur.length >= WRITE_SLICE || tags >= WRITE_TAGS) {
      slices.push(cur)
      cur = []
      tags = 0
    }
  }
  if (cur.length) slices.push(cur)
  return slices
}

export type WriteRecord =
  | { kind: 'mark'; seq: number; status: 'failed' | 'skipped'; error: string | null }
  | { kind: 'outcome'; seq: number; outcome: ImageOutcome }

/**
 * Commits results, prompt records and item marks in ONE short IMMEDIATE transaction appended to
 * the job's journal batch, so an item is marked done exactly when its result is on disk.
 */
function writeRecords(
  ctx: CoreContext,
  jobId: number,
  plan: RunPlan,
  opts: { overwriteManual: boolean; redo: boolean },
  label: string,
  records: WriteRecord[]
): { done: number; failed: number } {
  const { db } = ctx
  let done = 0
  let failed = 0
  appendToBatch(ctx, jobBatchId(db, jobId), label, (b) => {
    // same transaction as the batch: a resumed job appends to it (a batch that ends up
    // empty is dropped, and the next slice opens a new one)
    setJobBatch(db, jobId, b.id)
    for (const r of records) {
      if (r.kind === 'mark') {
        markJobItem(db, jobId, r.seq, r.status, r.error)
        if (r.status === 'failed') failed++
        else done++
        continue
      }
      const o = r.outcome
      if (!o.ok) {
        markJobItem(db, jobId, r.seq, 'failed', o.error)
        failed++
        continue
      }
      // an edit made while the model ran wins over the model
      const why = skipReason(db, plan, o.id, opts)
      if (why) markJobItem(db, jobId, r.seq, 'skipped', why)
      else {
        const { wrote, text } = writeOutcome(b, plan, o, opts)
        if (o.prompt !== null && text !== null)
          writePrompt(db, {
            image_id: o.id,
            lang: plan.lang,
            source: plan.source,
            prompt: o.prompt,
            rendered: o.rendered,
            knowledge: JSON.stringify(o.knowledge),
            caption: text,
            at: Date.now()
          })
        markJobItem(db, jobId, r.seq, wrote ? 'done' : 'skipped', null)
      }
      done++
    }
  })
  return { done, failed }
}

/**
 * Buffers records and writes them within a turn of the event loop (setImmediate), a slice per
 * turn, so outcomes that arrive together share transactions and none waits for the next one.
 */
class OutcomeWriter {
  private buffer: WriteRecord[] = []
  private scheduled = false
  constructor(
    private readonly ctx: CoreContext,
    private readonly jobId: number,
    private readonly plan: RunPlan,
    private readonly opts: { overwriteManual: boolean; redo: boolean },
    private readonly label: string,
    private readonly control: JobControl
  ) {}

  push(r: WriteRecord): void {
    this.buffer.push(r)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.tick())
    }
  }

  private writeSlice(): void {
    const [slice] = writeSlices(this.buffer.slice(0, WRITE_SLICE))
    if (!slice) return
    this.buffer.splice(0, slice.length)
    const { done, failed } = writeRecords(
      this.ctx,
      this.jobId,
      this.plan,
      this.opts,
      this.label,
      slice
    )
    this.control.advance(done, failed)
  }

  private tick(): void {
    this.scheduled = false
    if (!this.ctx.db.open) return
    this.writeSlice()
    if (this.buffer.length && !this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.tick())
    }
  }

  /** Writes everything buffered now (at the end, on cancel, before a job-fatal error). */
  flush(): void {
    while (this.buffer.length && this.ctx.db.open) this.writeSlice()
  }

  /** Writes everything buffered, a slice per turn of the event loop. */
  async drain(): Promise<void> {
    while (this.buffer.length && this.ctx.db.open) {
      this.writeSlice()
      if (this.buffer.length) await yieldLoop()
    }
  }
}

/** Endpoint errors that mean the job cannot go on as configured (a sentence says why). */
const FAILS_JOB = new Set(['auth', 'quota', 'not-found', 'config'])

/** What a job-stopping error becomes: resumable (interrupted) or a failed job with its reason. */
function jobError(err: unknown): unknown {
  if (err instanceof HostCrashError) return new JobInterruptedError(err.message)
  if (err instanceof EndpointError) {
    if (FAILS_JOB.has(err.kind)) return err
    return new JobInterruptedError(err.message)
  }
  return err
}

/** A local model's inference failing on one image (not a load failure, not a crash). */
function isInferenceFailure(err: unknown): err is GlossaError {
  return (
    err instanceof GlossaError &&
    !(err instanceof ModelError) &&
    !(err instanceof HostCrashError) &&
    err.code === 'INTERNAL'
  )
}

/** The per-image phase (generative models and endpoints). */
async function captionEach(
  ctx: CoreContext,
  jobId: number,
  plan: RunPlan,
  open: Exclude<OpenModel, { kind: 'tagger' }>,
  opts: { overwriteManual: boolean; redo: boolean },
  writer: OutcomeWriter,
  signal: AbortSignal
): Promise<void> {
  const { db } = ctx
  const host = hostOf(ctx)
  async function* pending(): AsyncGenerator<{ item: PendingItem; img: ImageInput | undefined }> {
    let afterSeq = 0
    for (;;) {
      if (signal.aborted || !db.open) return
      const items = pendingJobItems(db, jobId, afterSeq, PAGE)
      if (items.length === 0) return
      afterSeq = items[items.length - 1]!.seq
      const images = loadImages(db, items)
      for (const item of items) yield { item, img: images.get(Number(item.key)) }
    }
  }
  let modelFailures = 0
  const limit = open.kind === 'endpoint' ? open.inFlight + ENDPOINT_PREFETCH : open.inFlight
  try {
    await forEachBounded(pending(), limit, signal, async ({ item, img }) => {
      if (!img) {
        writer.push(gone(item))
        return
      }
      const why = skipReason(db, plan, img.id, opts)
      if (why) {
        writer.push({ kind: 'mark', seq: item.seq, status: 'skipped', error: why })
        return
      }
      let outcome: ImageOutcome
      try {
        outcome = await captionOne(host, plan, open, img, promptFor(db, plan, img))
        modelFailures = 0
      } catch (err) {
        if (!((open.kind === 'generative' || open.kind === 'ocr') && isInferenceFailure(err)))
          throw err
        modelFailures++
        if (modelFailures >= MAX_CONSECUTIVE_MODEL_FAILURES)
          throw new GlossaError(
            'INTERNAL',
            `${plan.model.dir}: the model failed on ${modelFailures} images in a row, so the job ` +
              `stopped (last: ${err.message})`
          )
        outcome = { id: img.id, ok: false, error: `${img.path}: model failure: ${err.message}` }
      }
      writer.push({ kind: 'outcome', seq: item.seq, outcome })
    })
  } catch (err) {
    writer.flush()
    if (signal.aborted) return
    if (err instanceof EndpointError && err.kind === 'cancelled') return
    throw jobError(err)
  } finally {
    if (open.kind === 'endpoint') open.captioner.abort()
  }
  await writer.drain()
}

/** The tagger phase: chunks of pending items, batched inference. */
async function tagChunks(
  ctx: CoreContext,
  jobId: number,
  plan: RunPlan,
  open: Extract<OpenModel, { kind: 'tagger' }>,
  opts: { overwriteManual: boolean; redo: boolean },
  writer: OutcomeWriter,
  control: JobControl,
  batch: number | undefined
): Promise<void> {
  const { db } = ctx
  const host = hostOf(ctx)
  const chunkSize = Math.max(8, (batch ?? 8) * 4)
  let afterSeq = 0
  for (;;) {
    if (control.signal.aborted || !db.open) return
    const items = pendingJobItems(db, jobId, afterSeq, chunkSize)
    if (items.length === 0) break
    afterSeq = items[items.length - 1]!.seq
    const images = loadImages(db, items)
    const seqOf = new Map<number, number>()
    const toRun: ImageInput[] = []
    for (const it of items) {
      const img = images.get(Number(it.key))
      if (!img) {
        writer.push(gone(it))
        continue
      }
      const why = skipReason(db, plan, img.id, opts)
      if (why) writer.push({ kind: 'mark', seq: it.seq, status: 'skipped', error: why })
      else {
        seqOf.set(img.id, it.seq)
        toRun.push(img)
      }
    }
    const got = new Set<number>()
    let chunkError: unknown = null
    try {
      if (toRun.length)
        await tagImagesOf(host, plan, open.tagger, toRun, control.signal, (r) => {
          got.add(r.id)
          writer.push({ kind: 'outcome', seq: seqOf.get(r.id)!, outcome: r })
        })
    } catch (err) {
      chunkError = err
    }
    const cancelled =
      control.signal.aborted ||
      (chunkError instanceof GlossaError && chunkError.code === 'CANCELLED')
    const crashed = chunkError instanceof HostCrashError
    if (!db.open) return
    // Images of the chunk without an outcome: on a model failure they fail with its reason;
    // on cancel or crash they stay pending (resume picks them up).
    if (chunkError && !cancelled && !crashed) {
      const reason = `model failure: ${chunkError instanceof Error ? chunkError.message : String(chunkError)}`
      for (const img of toRun)
        if (!got.has(img.id))
          writer.push({
            kind: 'mark',
            seq: seqOf.get(img.id)!,
            status: 'failed',
            error: `${img.path}: ${reason}`
          })
    }
    await writer.drain()
    if (crashed) throw new JobInterruptedError((chunkError as Error).message)
    if (cancelled) return
    await yieldLoop()
  }
  await writer.drain()
}

export const captionJob: JobKindImpl = {
  kind: 'caption',
  async run(ctx, job, control) {
    const { db } = ctx
    const params = parseParams(job.params)
    const plan = makePlan(db, params)
    const opts = { overwriteManual: params.overwriteManual, redo: params.redo }
    const persisted = jobProgressRow(db, job.id)
    if (persisted.phase !== 'caption') {
      control.setPhase('select', 0)
      deleteJobItems(db, job.id)
      const ids = await resolveTarget(db, params.target)
      if (control.signal.aborted) return
      // in slices with a turn of the event loop between them (a target can be 100k images)
      for (let i = 0; i < ids.length; i += SELECT_SLICE) {
        if (i > 0) await yieldLoop()
        if (control.signal.aborted || !db.open) return
        addJobItems(
          db,
          job.id,
          ids.slice(i, i + SELECT_SLICE).map((id) => String(id))
        )
      }
      control.setPhase('caption', ids.length)
    }
    const counts = countJobItems(db, job.id)
    control.setPhase('caption', counts.total)
    control.advance(counts.done - persisted.done, counts.failed - persisted.failed)
    if (counts.pending === 0) return

    const host = hostOf(ctx)
    let open: OpenModel
    try {
      open = await openModel(ctx, host, plan, { signal: control.signal })
    } catch (err) {
      throw jobError(err)
    }
    const writer = new OutcomeWriter(ctx, job.id, plan, opts, runLabel(plan), control)
    if (open.kind === 'tagger')
      await tagChunks(ctx, job.id, plan, open, opts, writer, control, params.batch)
    else await captionEach(ctx, job.id, plan, open, opts, writer, control.signal)
  }
}
