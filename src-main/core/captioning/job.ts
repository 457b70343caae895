/**
 * Job kind 'caption': captions (or tags) a target set of images with one registered model.
 *
 * Phase 'select' resolves the target (explicit ids, a dataset, a grid filter — images that failed
 * import are left out) into job items keyed by image id; the phase label 'caption' is persisted
 * only once every item is recorded, so a job killed while selecting selects again on resume.
 * Phase 'caption' works through pending items in chunks. A chunk's results, journal entries and
 * item marks commit in short transactions of a few items each (appendToBatch; an item's result
 * and its mark always in the same one), with a turn of the event loop between them, all appended
 * to the job's single journal batch ("Caption with <model>"), so:
 *  - a SIGKILL at any moment loses at most the chunk in flight, and resume captions no image twice;
 *  - cancel keeps finished chunks (and the results of the chunk in flight that already arrived);
 *  - history.undo of the run restores every image's previous caption/tags in one step.
 * Per image: skipped when it already has a caption/tags from this model+preset (unless `redo`)
 * or a manual caption/manual tags (unless `overwriteManual`) — checked again inside the write
 * transaction, so an edit made while the chunk ran is never overwritten; failed with a reason
 * when too small, unreadable, or when the model fails on its chunk; the job goes on.
 * A crash of the inference host ends the job 'interrupted' (resumable).
 */
import type { Database } from 'better-sqlite3'
import type { CaptionTarget, ImageFilter } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { HostCrashError } from './inference/errors'
import type { InferenceHost } from './inference/host'
import { appendToBatch, setCaption, setTags, type Batch } from '../db/journal'
import { readCaption } from '../captions/queries'
import { pageImages, splitTags } from '../images/queries'
import { fieldsJson } from '../captions/queries'
import {
  makePlan,
  openModel,
  runImages,
  type ImageInput,
  type ImageOutcome,
  type PlanArgs,
  type RunPlan
} from './plan'
import {
  addJobItems,
  countJobItems,
  JobInterruptedError,
  markJobItem,
  pendingJobItems,
  type JobKindImpl,
  type PendingItem
} from '../jobs/runner'

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

/** Ids looked up / job items inserted between two turns of the event loop. */
const SELECT_SLICE = 2000

/** Image ids of a target, in grid order ('added'), without files that failed import. */
export async function resolveTarget(db: Database, t: CaptionTarget): Promise<number[]> {
  const explicit = t.imageIds ? [...new Set(t.imageIds)] : null
  if (t.datasetId === undefined && t.filter === undefined) {
    const ok: number[] = []
    const st = db.prepare('SELECT 1 FROM images WHERE id = ? AND error IS NULL')
    for (let i = 0; i < explicit!.length; i++) {
      if (i > 0 && i % SELECT_SLICE === 0) await yieldLoop()
      const id = explicit![i]!
      if (st.get(id)) ok.push(id)
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
  db: Database,
  plan: RunPlan,
  imageId: number,
  opts: { overwriteManual: boolean; redo: boolean }
): SkipReason | null {
  if (plan.kind === 'tagger') {
    const sources = new Set(
      (
        db.prepare('SELECT DISTINCT source FROM tags WHERE image_id = ?').all(imageId) as {
          source: string
        }[]
      ).map((r) => r.source)
    )
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

/** Writes one image's result through the journal batch; false when nothing changed. */
export function writeOutcome(b: Batch, plan: RunPlan, r: ImageOutcome & { ok: true }): boolean {
  if (r.tags) {
    if (r.tags.length === 0) return false
    return setTags(
      b,
      r.id,
      r.tags.map((t) => ({ tag: t.tag, score: t.score, source: plan.source }))
    )
  }
  if (r.text === null || r.text === '') return false
  return setCaption(b, r.id, plan.lang, {
    text: r.text,
    fields: r.fields ? fieldsJson(r.fields) : null,
    source: plan.source
  })
}

function loadImages(db: Database, items: PendingItem[]): Map<number, ImageInput> {
  const st = db.prepare(
    'SELECT id, path, width, height, raw_caption, tags_text FROM images WHERE id = ? AND error IS NULL'
  )
  const out = new Map<number, ImageInput>()
  for (const it of items) {
    const r = st.get(Number(it.key)) as
      | {
          id: number
          path: string
          width: number | null
          height: number | null
          raw_caption: string | null
          tags_text: string
        }
      | undefined
    if (r)
      out.set(r.id, {
        id: r.id,
        path: r.path,
        width: r.width,
        height: r.height,
        raw: r.raw_caption,
        tags: splitTags(r.tags_text)
      })
  }
  return out
}

function parseParams(p: Record<string, unknown>): CaptionParams {
  if (typeof p.modelId !== 'string' || typeof p.target !== 'object' || p.target === null)
    throw new GlossaError('INVALID_ARGS', 'caption job: params need modelId and target')
  return p as unknown as CaptionParams
}

export function runLabel(plan: RunPlan): string {
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
 * Commits results and item marks in ONE short IMMEDIATE transaction appended to the job's journal
 * batch, so an item is marked done exactly when its result is on disk.
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
  const prev = db.prepare('SELECT batch_id FROM job_batches WHERE job_id = ?').get(jobId) as
    { batch_id: number | null } | undefined
  appendToBatch(ctx, prev?.batch_id ?? null, label, (b) => {
    // same transaction as the batch: a resumed job appends to it (a batch that ends up
    // empty is dropped, and the next slice opens a new one)
    db.prepare(
      'INSERT INTO job_batches (job_id, batch_id) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET batch_id = excluded.batch_id'
    ).run(jobId, b.id)
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
      else markJobItem(db, jobId, r.seq, writeOutcome(b, plan, o) ? 'done' : 'skipped', null)
      done++
    }
  })
  return { done, failed }
}

export const captionJob: JobKindImpl = {
  kind: 'caption',
  async run(ctx, job, control) {
    const { db } = ctx
    const params = parseParams(job.params)
    const plan = makePlan(db, params)
    const opts = { overwriteManual: params.overwriteManual, redo: params.redo }
    const persisted = db
      .prepare('SELECT phase, done, failed FROM jobs WHERE id = ?')
      .get(job.id) as {
      phase: string
      done: number
      failed: number
    }
    if (persisted.phase !== 'caption') {
      control.setPhase('select', 0)
      db.prepare('DELETE FROM job_items WHERE job_id = ?').run(job.id)
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
    let open
    try {
      open = await openModel(host, db, plan)
    } catch (err) {
      if (err instanceof HostCrashError) throw new JobInterruptedError(err.message)
      throw err
    }
    const label = runLabel(plan)
    const chunkSize = plan.kind === 'tagger' ? Math.max(8, (params.batch ?? 8) * 4) : 4
    let afterSeq = 0
    for (;;) {
      if (control.signal.aborted || !db.open) return
      const items = pendingJobItems(db, job.id, afterSeq, chunkSize)
      if (items.length === 0) break
      afterSeq = items[items.length - 1]!.seq
      const images = loadImages(db, items)
      const seqOf = new Map<number, number>()
      const toRun: ImageInput[] = []
      const pre: { seq: number; status: 'failed' | 'skipped'; error: string | null }[] = []
      for (const it of items) {
        const img = images.get(Number(it.key))
        if (!img) {
          pre.push({
            seq: it.seq,
            status: 'failed',
            error: `image ${it.key} is no longer in the library`
          })
          continue
        }
        const why = skipReason(db, plan, img.id, opts)
        if (why) pre.push({ seq: it.seq, status: 'skipped', error: why })
        else {
          seqOf.set(img.id, it.seq)
          toRun.push(img)
        }
      }
      const outcomes: ImageOutcome[] = []
      let chunkError: unknown = null
      try {
        if (toRun.length)
          await runImages(host, plan, open, toRun, control.signal, (r) => void outcomes.push(r))
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
      const reason =
        chunkError && !cancelled && !crashed
          ? `model failure: ${chunkError instanceof Error ? chunkError.message : String(chunkError)}`
          : null
      const got = new Set(outcomes.map((o) => o.id))
      const leftover = reason ? toRun.filter((i) => !got.has(i.id)) : []
      // One record per item of the chunk, written in small slices (writeSlices), each slice its
      // own short transaction (results + journal entries + item marks together) with a turn of
      // the event loop between slices.
      const records: WriteRecord[] = [
        ...pre.map((p): WriteRecord => ({ kind: 'mark', ...p })),
        ...outcomes.map((o): WriteRecord => ({
          kind: 'outcome',
          seq: seqOf.get(o.id)!,
          outcome: o
        })),
        ...leftover.map((l): WriteRecord => ({
          kind: 'mark',
          seq: seqOf.get(l.id)!,
          status: 'failed',
          error: `${l.path}: ${reason}`
        }))
      ]
      for (const [i, slice] of writeSlices(records).entries()) {
        if (i > 0) {
          await yieldLoop()
          if (!db.open) return
        }
        const { done, failed } = writeRecords(ctx, job.id, plan, opts, label, slice)
        control.advance(done, failed)
      }
      if (crashed) throw new JobInterruptedError((chunkError as Error).message)
      if (cancelled) return
      await yieldLoop()
    }
  }
}
