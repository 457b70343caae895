/**
 * Issue 7: review at scale.
 *  - review.replace: a regex find/replace over every zh and en caption of a 100,000-image seeded
 *    library (20,000 with --quick) through the core — `bulk.preview` (count + sample diffs), then
 *    `bulk.apply` (a 'bulk' job, one journal batch) — in seconds, against a bare read of the same
 *    captions plus the same String.replace in a loop. While they run, the core's event loop is
 *    sampled (perf_hooks.monitorEventLoopDelay): its longest stall and p99 are in the details.
 *  - review.replaceLongTask: meanwhile a headless Chromium page on the dataset grid, served by
 *    `startServer` from the same core (bench/review-studio.ts), records its long tasks
 *    (PerformanceObserver 'longtask') and the arrival of the job's `job.progress` events: the
 *    longest task while the job runs (target ≤ 100 ms) against the same page sitting idle, and
 *    the longest gap between progress events in the details.
 *  - review.phash: the 'phash' job over N generated 768 px JPEGs (400; 100 with --quick),
 *    against a bare sharp decode of the same files at the job's concurrency.
 *  - review.stats: each dashboard query (stats.tags, captionLengths, resolution, buckets, review)
 *    on the 100,000-image library, p95 ms over repeated calls after a warm-up (target ≤ 200 ms);
 *    the reference is a bare read of the width, height and status of every image. The first
 *    captionLengths call is reported too (it used to fill a token cache lazily; no longer).
 */
import fs from 'node:fs'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { createCore } from '../src-main/core'
import { closeDatabase, openDatabase } from '../src-main/core/db/open'
import type { BulkOp } from '../src-main/shared/api'
import { seedLibrary } from '../test/db/helpers'
import { makeDupesFixture } from '../test/fixtures/dupes-images'
import { openStudioGrid, type PageWatch } from './review-studio'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { cached, elapsedMs, REPO_DIR, sourceHash, summarize } from './util'

const FIND = '(一只|一位|a |an )'
const REPLACE = '$1【】'

async function seeded(ctx: BenchContext, n: number): Promise<string> {
  const migrations = fs
    .readdirSync(path.join(REPO_DIR, 'src-main/core/db/migrations'))
    .map((f) => `src-main/core/db/migrations/${f}`)
    .sort()
  const hash = sourceHash([
    'test/db/helpers.ts',
    'src-main/core/captions/text/cjk.ts',
    ...migrations
  ])
  return cached(
    ctx.cacheDir,
    `review-library-${n}-${hash}.sqlite`,
    async (target) => {
      const db = openDatabase(target)
      try {
        seedLibrary(db, { datasets: 1, imagesPerDataset: n, seed: 17 })
        db.pragma('wal_checkpoint(TRUNCATE)')
        db.exec('ANALYZE')
      } finally {
        closeDatabase(db)
      }
    },
    ctx.log
  )
}

interface Watched<T> {
  ms: number
  stallMs: number
  p99Ms: number
  v: T
}

/** Runs `fn` while sampling the event loop; returns its wall time, longest stall and p99. */
async function watched<T>(fn: () => Promise<T>): Promise<Watched<T>> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  const t0 = performance.now()
  const v = await fn()
  const ms = elapsedMs(t0)
  h.disable()
  return { ms, stallMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, v }
}

/** Longest gap between consecutive job.progress arrivals in the page, start to finish. */
function progressGaps(w: PageWatch): { events: number; maxGapMs: number } {
  const end = w.finishedAt ?? w.t1
  const times = [w.t0, ...w.progress.filter((t) => t <= end), end]
  let max = 0
  for (let i = 1; i < times.length; i++) max = Math.max(max, times[i]! - times[i - 1]!)
  return { events: w.progress.length, maxGapMs: max }
}

/** The reference of the replace: every zh/en caption read in id chunks and replaced in JS. */
function bareReplace(file: string): { ms: number; captions: number; changed: number } {
  const db = new Database(file, { readonly: true })
  try {
    const st = db.prepare(
      `SELECT image_id, lang, text FROM captions WHERE image_id > ? ORDER BY image_id LIMIT 2000`
    )
    const re = new RegExp(FIND, 'g')
    const t0 = performance.now()
    let after = 0
    let captions = 0
    let changed = 0
    for (;;) {
      const rows = st.all(after) as { image_id: number; lang: string; text: string }[]
      if (!rows.length) break
      for (const r of rows) {
        captions++
        if (r.text.replace(re, REPLACE) !== r.text) changed++
      }
      after = rows[rows.length - 1]!.image_id
    }
    return { ms: elapsedMs(t0), captions, changed }
  } finally {
    db.close()
  }
}

async function replaceFigures(ctx: BenchContext, file: string, n: number): Promise<Figure[]> {
  const core = createCore({ dataDir: ctx.tmpDir, libraryFile: file, actor: 'bench' })
  const op: BulkOp = {
    kind: 'replace',
    find: FIND,
    replace: REPLACE,
    regex: true,
    caseInsensitive: false,
    widthInsensitive: false,
    langs: ['zh', 'en'],
    source: 'caption'
  }
  let studio: Awaited<ReturnType<typeof openStudioGrid>> | null = null
  try {
    const datasetId = (await core.call('datasets.list', {}))[0]!.id
    const selection = { datasetId, filter: {} }
    studio = await openStudioGrid(ctx, core, datasetId)
    const idleMs = ctx.quick ? 2000 : 5000
    const idleLongest = await studio.idleLongest(idleMs)
    const idleFrames = summarize(await studio.idleFrames(ctx.quick ? 120 : 300))
    const preview = await watched(() => core.call('bulk.preview', { selection, op, limit: 50 }))
    let coreProgress = 0
    const off = core.on('job.progress', () => void coreProgress++)
    await studio.startWatch()
    const apply = await watched(async () => {
      const r = await core.call('bulk.apply', { selection, op })
      if (r.jobId !== null) await core.waitForJob(r.jobId)
      return r
    })
    off()
    const page = await studio.stopWatch()
    const p = preview.v
    const bare = bareReplace(file)
    const longest = Math.max(0, ...page.longTasks.map((t) => t.duration))
    const gaps = progressGaps(page)
    ctx.log(
      `review: replace preview ${round(preview.ms / 1000, 2)} s, apply ${round(apply.ms / 1000, 2)} s (${p.changed} of ${p.count} images); bare ${round(bare.ms, 0)} ms; core stall max ${round(apply.stallMs, 1)} ms p99 ${round(apply.p99Ms, 1)} ms; studio longest task ${round(longest, 1)} ms (idle ${round(idleLongest, 1)} ms), ${gaps.events} progress events, longest gap ${round(gaps.maxGapMs, 0)} ms`
    )
    const replace = figure({
      id: 'review.replace',
      description: `regex replace /${FIND}/ over the zh and en captions of ${n} images: bulk.preview then bulk.apply (job, one batch), the studio grid open in Chromium`,
      measured: {
        name: 'preview + apply wall time',
        value: round((preview.ms + apply.ms) / 1000, 2),
        unit: 's'
      },
      reference: {
        name: 'bare chunked read of the same captions + String.replace',
        value: round(bare.ms / 1000, 3),
        unit: 's'
      },
      target: null,
      details: {
        images: p.count,
        imagesChanged: p.changed,
        captionsRead: bare.captions,
        captionsChangedBare: bare.changed,
        previewSeconds: round(preview.ms / 1000, 2),
        applySeconds: round(apply.ms / 1000, 2),
        coreEventLoopMaxStallMsPreview: round(preview.stallMs, 1),
        coreEventLoopP99MsPreview: round(preview.p99Ms, 1),
        coreEventLoopMaxStallMsApply: round(apply.stallMs, 1),
        coreEventLoopP99MsApply: round(apply.p99Ms, 1),
        note: 'the core, the server and Chromium (grid open, refreshing) share the machine'
      }
    })
    const ui = figure({
      id: 'review.replaceLongTask',
      description: `longest main-thread task of the studio grid page in Chromium while bulk.apply rewrites the captions of ${n} images (long tasks are ≥ 50 ms; 0 = none)`,
      measured: { name: 'longest task during the apply job', value: round(longest, 1), unit: 'ms' },
      reference: { name: 'idle page rAF interval (p50)', value: idleFrames.p50, unit: 'ms' },
      target: { of: 'value', max: 100 },
      details: {
        applySeconds: round(apply.ms / 1000, 2),
        idlePageLongestTaskMs: round(idleLongest, 1),
        idlePageSeconds: idleMs / 1000,
        longTasks: page.longTasks.length,
        durations: page.longTasks.map((t) => round(t.duration, 1)).slice(0, 50),
        progressEventsInPage: gaps.events,
        progressEventsInCore: coreProgress,
        longestGapBetweenProgressEventsMs: round(gaps.maxGapMs, 0),
        jobFinishedSeenByPage: page.finishedAt !== null,
        studioApiCallsDuringApply: page.apiCalls ?? {},
        chromium: studio.chromiumVersion
      }
    })
    return [replace, ui]
  } finally {
    await studio?.close()
    await core.close()
  }
}

async function statsFigure(ctx: BenchContext, file: string, n: number): Promise<Figure> {
  const core = createCore({ dataDir: ctx.tmpDir, libraryFile: file, actor: 'bench' })
  const runs = ctx.quick ? 8 : 20
  const per: Record<string, ReturnType<typeof summarize>> = {}
  let firstCaptionMs = 0
  try {
    const datasetId = (await core.call('datasets.list', {}))[0]!.id
    const filter = { datasetId }
    // some review history for the timeline: approve the images mentioning 广州塔
    const r = await core.call('bulk.apply', {
      selection: { datasetId, filter: { search: '广州塔' } },
      op: { kind: 'status', status: 'approved' }
    })
    if (r.jobId !== null) await core.waitForJob(r.jobId)
    const queries: Record<string, () => Promise<unknown>> = {
      tags: () => core.call('stats.tags', { filter, top: 30 }),
      captionLengths: () => core.call('stats.captionLengths', { filter }),
      resolution: () => core.call('stats.resolution', { filter, maxPoints: 2000 }),
      buckets: () =>
        core.call('stats.buckets', {
          filter,
          resolution: [1024, 1024],
          enableBucket: true,
          minReso: 256,
          maxReso: 1024,
          steps: 64,
          noUpscale: false
        }),
      review: () => core.call('stats.review', { filter, interval: 'day', tzOffsetMinutes: 0 })
    }
    // the first captionLengths on a freshly opened library: token counts are written with the
    // captions (migration 0007 triggers), so it costs what any later call does
    const t0 = performance.now()
    await queries.captionLengths!()
    firstCaptionMs = elapsedMs(t0)
    for (const [name, q] of Object.entries(queries)) {
      await q()
      const samples: number[] = []
      for (let i = 0; i < runs; i++) {
        const t = performance.now()
        await q()
        samples.push(elapsedMs(t))
      }
      per[name] = summarize(samples)
    }
  } finally {
    await core.close()
  }
  const db = new Database(file, { readonly: true })
  let bareMs: number
  try {
    const st = db.prepare('SELECT width, height, status FROM images')
    st.all()
    const t = performance.now()
    st.all()
    bareMs = elapsedMs(t)
  } finally {
    db.close()
  }
  const worst = Math.max(...Object.values(per).map((s) => s.p95))
  ctx.log(
    `review: stats p95 ${Object.entries(per)
      .map(([k, s]) => `${k} ${round(s.p95, 0)} ms`)
      .join(', ')}; first captionLengths ${round(firstCaptionMs, 0)} ms`
  )
  return figure({
    id: 'review.stats',
    description: `dashboard statistics queries on ${n} images: the worst p95 of the five plots`,
    measured: { name: 'worst per-plot p95', value: round(worst, 1), unit: 'ms' },
    reference: {
      name: 'bare read of width, height and status of every image',
      value: round(bareMs, 1),
      unit: 'ms'
    },
    target: { of: 'value', max: 200 },
    details: {
      p95ms: Object.fromEntries(Object.entries(per).map(([k, s]) => [k, s.p95])),
      p50ms: Object.fromEntries(Object.entries(per).map(([k, s]) => [k, s.p50])),
      runs,
      firstCaptionLengthsMs: round(firstCaptionMs, 0)
    }
  })
}

async function phashFigure(ctx: BenchContext): Promise<Figure> {
  const n = ctx.quick ? 100 : 400
  const dir = await cached(
    ctx.cacheDir,
    `phash-images-${n}-${sourceHash(['test/fixtures/dupes-images.ts'])}`,
    async (target) => {
      await makeDupesFixture(target, { distinct: n, perKind: 0, size: 768, seed: 3 })
    },
    ctx.log
  )
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => path.join(dir, f))
  const core = createCore({ dataDir: path.join(ctx.tmpDir, 'phash') })
  let jobMs: number
  try {
    const imp = await core.call('import.start', { dir, datasetName: 'phash' })
    await core.waitForJob(imp.jobId)
    const t0 = performance.now()
    const h = await core.call('dupes.hash', { datasetId: imp.datasetId, redo: true })
    if (h.jobId !== null) await core.waitForJob(h.jobId)
    jobMs = elapsedMs(t0)
  } finally {
    await core.close()
  }
  // the reference: decode every file with sharp, 4 at a time like the job
  const decode = async (): Promise<number> => {
    const t = performance.now()
    let next = 0
    const worker = async () => {
      while (next < files.length) await sharp(files[next++]!).raw().toBuffer()
    }
    await Promise.all(Array.from({ length: 4 }, worker))
    return elapsedMs(t)
  }
  await decode()
  const bareMs = await decode()
  // JPEG shrink-on-load lets the hash decode at 1/8 scale: the same decode to 32×32 is its floor
  const t1 = performance.now()
  let k = 0
  const small = async () => {
    while (k < files.length)
      await sharp(files[k++]!).resize(32, 32, { fit: 'fill' }).raw().toBuffer()
  }
  await Promise.all(Array.from({ length: 4 }, small))
  const smallMs = elapsedMs(t1)
  ctx.log(
    `review: phash job ${round(jobMs, 0)} ms for ${files.length} images; bare decode ${round(bareMs, 0)} ms`
  )
  return figure({
    id: 'review.phash',
    description: `perceptual hashing ('phash' job, redo) of ${files.length} 768×768 JPEGs`,
    measured: { name: 'phash job wall time', value: round(jobMs, 1), unit: 'ms' },
    reference: {
      name: 'bare sharp decode of the same files (4 in flight)',
      value: round(bareMs, 1),
      unit: 'ms'
    },
    target: null,
    details: {
      images: files.length,
      imagesPerSecond: round(files.length / (jobMs / 1000), 1),
      bareDecodesPerSecond: round(files.length / (bareMs / 1000), 1),
      decodeTo32pxMs: round(smallMs, 1),
      ratioToDecodeTo32px: round(jobMs / smallMs, 2),
      note: 'the job decodes JPEGs at reduced scale (shrink-on-load), hence faster than a full decode'
    }
  })
}

export const reviewBench: Benchmark = {
  name: 'review',
  issue: 7,
  description:
    'regex replace preview + apply over 100k captions (studio long tasks meanwhile), phash throughput vs a bare decode, dashboard stats p95',
  async run(ctx): Promise<Figure[]> {
    const n = ctx.quick ? 20_000 : 100_000
    const lib = path.join(ctx.tmpDir, 'library.sqlite')
    fs.copyFileSync(await seeded(ctx, n), lib)
    const out: Figure[] = []
    out.push(await statsFigure(ctx, lib, n))
    out.push(...(await replaceFigures(ctx, lib, n)))
    out.push(await phashFigure(ctx))
    return out
  }
}
