/**
 * Issue 17: a million images in one library. Seeds (once, cached in bench/.cache) a library of
 * GLOSSA_MILLION_N images (default 1,000,000; 100,000 with --quick) with the project's seeder
 * (test/db/helpers.ts seedLibrary, one dataset), opens it through createCore as the app does,
 * and times every summary call the studio makes — datasets.list / get / concepts, library.stats,
 * stats.tags, stats.captionLengths (the kept summaries of migration 0012) — plus the grid page
 * with and without its total and a 2-character Chinese search: median and p95 over repeated calls
 * after a warm-up, each against the same physical reference measured in the same run (a bare
 * primary-key read of one image row on the same file). Targets are the issue's, at 1M:
 * datasets.* ≤ 5 ms, library.stats ≤ 50 ms, dashboard statistics ≤ 200 ms, images.page ≤ 5 ms
 * without total and ≤ 25 ms with it, 2-character search ≤ 50 ms — applied to the median, as the
 * issue's table reports medians; the p95 is in each figure's details (on a shared machine it is
 * mostly scheduling).
 * Then the studio in Chromium on a copy of the same library (bench/studio.ts measureStudio):
 * navigation to an interactive grid against a blank page (target ≤ 4×), scroll frames, the
 * longest task while scrolling and an edit at depth (GLOSSA_MILLION_STUDIO=0 skips it).
 * Then the core-side stall during a bulk caption apply over every image (measureBulkApply, on a
 * copy; GLOSSA_MILLION_APPLY=0 skips it): cleanup.apply with a user rule that rewrites every
 * caption (zh and en), called through createCore as the studio's cleanup panel calls it, while a
 * probe asks for a grid page (images.page, 50 rows, no total) every PROBE_MS. A probe's latency
 * runs from the moment it was due (its timer's deadline) to its answer, so the time it waited
 * behind the apply's work counts. Figures: the longest probe latency (target ≤ 200 ms: a click
 * answered within 200 ms still reads as immediate, and it is 8× the apply's 25 ms slices — room
 * for a slice, its commit and an index-merge turn, not for a transaction over the library), its
 * p99 (target ≤ 50 ms, the long-task budget) — both against a grid page read of the idle core
 * measured just before — and the process's peak RSS (target ≤ 400 MB, the issue's budget for a
 * 1M import; reference: RSS with the copy open and idle). Wall time, changed count and the event
 * loop's delay are in the details.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createCore } from '../src-main/core'
import type { Sort } from '../src-main/shared/api'
import { ZH_SUBJECTS } from '../test/db/helpers'
import { measureStudio } from './studio'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { elapsedMs, pick, prng, seededLibrary, summarize, type Summary } from './util'

const SEED = 1017

function size(quick: boolean): number {
  const env = Number(process.env.GLOSSA_MILLION_N)
  if (Number.isSafeInteger(env) && env > 0) return env
  return quick ? 100_000 : 1_000_000
}

async function timeCalls(runs: number, fn: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(5, runs); i++) await fn(i)
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn(i)
    out.push(elapsedMs(t0))
  }
  return out
}

/** 2-character all-Han queries from the seeder's subjects (they match many captions). */
function twoChar(): string[] {
  const out = new Set<string>()
  for (const p of ZH_SUBJECTS) {
    const c = [...p]
    for (let i = 0; i + 1 < c.length; i++) out.add(c[i]! + c[i + 1]!)
  }
  return [...out]
}

export const millionBench: Benchmark = {
  name: 'million',
  issue: 17,
  description:
    'summary calls, grid pages and 2-character search on a seeded library of a million images (GLOSSA_MILLION_N)',
  async run(ctx) {
    const n = size(ctx.quick)
    const runs = ctx.quick ? 20 : 50
    const file = await seededLibrary(ctx, n, SEED)
    const bytes = fs.statSync(file).size
    // reads only: the cached file is opened in place (a 2 GB copy per run would dominate)
    const core = createCore({ dataDir: ctx.tmpDir, libraryFile: file, actor: 'bench' })
    const bare = new Database(file, { readonly: true })
    try {
      const ds = (await core.call('datasets.list', {}))[0]
      if (!ds) throw new Error('seeded library has no dataset')
      ctx.log(`million: ${ds.images} images, ${round(bytes / 2 ** 30, 2)} GiB`)
      const maxId = (bare.prepare('SELECT max(id) AS m FROM images').get() as { m: number }).m
      const refStmt = bare.prepare('SELECT * FROM images WHERE id = ?')
      const rr = prng(1)
      const ref = summarize(
        await timeCalls(runs * 4, () => refStmt.get(1 + Math.floor(rr() * maxId)))
      )

      const filter = { datasetId: ds.id }
      const queries = twoChar()
      const sorts: Sort[] = [
        { key: 'name', dir: 'asc' },
        { key: 'added', dir: 'desc' },
        { key: 'status', dir: 'asc' }
      ]
      const r = prng(2)
      const cases: [id: string, what: string, target: number, fn: () => unknown][] = [
        ['datasets.list', 'datasets.list', 5, () => core.call('datasets.list', {})],
        ['datasets.get', 'datasets.get', 5, () => core.call('datasets.get', { id: ds.id })],
        [
          'datasets.concepts',
          'datasets.concepts',
          5,
          () => core.call('datasets.concepts', { datasetId: ds.id })
        ],
        [
          'library.stats',
          'library.stats (whole library)',
          50,
          () => core.call('library.stats', {})
        ],
        [
          'stats.tags',
          'stats.tags of the dataset (top 30)',
          200,
          () => core.call('stats.tags', { filter, top: 30 })
        ],
        [
          'stats.captionLengths',
          'stats.captionLengths of the dataset',
          200,
          () => core.call('stats.captionLengths', { filter })
        ],
        [
          'stats.tagsAll',
          'stats.tags of the whole library',
          200,
          () => core.call('stats.tags', { filter: {}, top: 30 })
        ],
        [
          'images.page',
          'images.page, 200 rows, no total (first page, varied sorts)',
          5,
          () =>
            core.call('images.page', {
              filter,
              sort: pick(r, sorts),
              cursor: null,
              limit: 200,
              withTotal: false
            })
        ],
        [
          'images.pageTotal',
          'images.page, 200 rows, with the total (the grid as it opens)',
          25,
          () =>
            core.call('images.page', {
              filter,
              sort: pick(r, sorts),
              cursor: null,
              limit: 200,
              withTotal: true
            })
        ],
        [
          'search.zh2',
          '2-character Chinese search, first 100 rows (no total)',
          50,
          () =>
            core.call('images.page', {
              filter: { datasetId: ds.id, search: pick(r, queries) },
              sort: { key: 'added', dir: 'asc' },
              cursor: null,
              limit: 100,
              withTotal: false
            })
        ]
      ]
      const out: Figure[] = []
      const line: string[] = []
      for (const [id, what, target, fn] of cases) {
        const s: Summary = summarize(await timeCalls(runs, fn))
        line.push(`${id} p50 ${s.p50} p95 ${s.p95}`)
        out.push(
          figure({
            id: `million.${id}`,
            description: `${what} on ${n} images through createCore (median, as the issue's table; target ${target} ms at 1M)`,
            measured: { name: `${id} median`, value: s.p50, unit: 'ms' },
            reference: {
              name: 'bare primary-key read of one image row (p50)',
              value: ref.p50,
              unit: 'ms'
            },
            target: { of: 'value', max: target },
            details: { images: n, libraryBytes: bytes, runs, median: s.p50, p95: s.p95, max: s.max }
          })
        )
      }
      ctx.log(`million: ${line.join('; ')}; bare row read p50 ${ref.p50} ms`)
      bare.close()
      await core.close()
      if (process.env.GLOSSA_MILLION_STUDIO !== '0') {
        // the studio writes (thumbnail sources, one approval): it gets a copy
        const copy = path.join(ctx.tmpDir, 'million-studio.sqlite')
        fs.copyFileSync(file, copy)
        try {
          out.push(...(await measureStudio(ctx, copy, 'million.studio')))
        } catch (err) {
          // the other figures stand; the failure is logged and kept with the results
          ctx.log(`million: the studio measurement failed: ${String(err)}`)
          out.push(failed('million.studio', err))
        } finally {
          fs.rmSync(copy, { force: true })
        }
      }
      if (process.env.GLOSSA_MILLION_APPLY !== '0') {
        const copy = path.join(ctx.tmpDir, 'million-apply.sqlite')
        fs.copyFileSync(file, copy)
        try {
          out.push(...(await measureBulkApply(ctx, copy, n, ctx.quick ? 3 : 10)))
        } catch (err) {
          ctx.log(`million: the bulk-apply measurement failed: ${String(err)}`)
          out.push(failed('million.bulkApply', err))
        } finally {
          for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) fs.rmSync(f, { force: true })
        }
      }
      return out
    } finally {
      if (bare.open) bare.close()
      await core.close()
    }
  }
}

/** A figure standing for a part that failed to run (met: false, the error in the details). */
function failed(id: string, err: unknown): Figure {
  return figure({
    id: `${id}.failed`,
    description: `${id} did not complete`,
    measured: { name: 'failed', value: Number.NaN, unit: '' },
    reference: { name: 'none', value: Number.NaN, unit: '' },
    target: { of: 'value', max: 0 },
    details: { error: err instanceof Error ? err.message : String(err) }
  })
}

const PROBE_MS = 5
const MB = 2 ** 20

/** See the file comment: the core's responsiveness while a bulk apply rewrites every caption. */
async function measureBulkApply(
  ctx: BenchContext,
  lib: string,
  n: number,
  refSeconds: number
): Promise<Figure[]> {
  const core = createCore({ dataDir: path.join(ctx.tmpDir, 'apply-data'), libraryFile: lib })
  try {
    const ds = (await core.call('datasets.list', {}))[0]
    if (!ds) throw new Error('seeded library has no dataset')
    const probe = () =>
      core.call('images.page', {
        filter: { datasetId: ds.id },
        sort: { key: 'added', dir: 'asc' },
        cursor: null,
        limit: 50,
        withTotal: false
      })
    await timeCalls(20, probe) // warm-up
    let rssPeak = 0
    let running = true
    let lat: number[] = []
    const probeLoop = async () => {
      while (running) {
        const due = performance.now() + PROBE_MS
        await new Promise((r) => setTimeout(r, PROBE_MS))
        if (!running) break
        await probe()
        lat.push(performance.now() - due)
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
      }
    }
    // reference: the same probe loop on the idle core (on a shared machine its own tail is
    // scheduling: the figures' targets are absolute, the reference says what the host allowed)
    let probing = probeLoop()
    await new Promise((r) => setTimeout(r, refSeconds * 1000))
    running = false
    await probing
    const ref = summarize(lat)
    lat = []
    const rssIdle = process.memoryUsage.rss()
    rssPeak = rssIdle
    const loop = monitorEventLoopDelay({ resolution: 5 })
    running = true
    probing = probeLoop()
    // a partial account every minute: a run cut short still says what it saw
    const t00 = performance.now()
    const progress = setInterval(() => {
      const s = summarize(lat)
      ctx.log(
        `  … ${round((performance.now() - t00) / 1000, 0)} s: ${s.n} probes, p50 ${s.p50} p99 ${s.p99} max ${s.max} ms; event-loop delay p99 ${round(loop.percentile(99) / 1e6, 1)} max ${round(loop.max / 1e6, 1)} ms; RSS peak ${round(rssPeak / MB, 0)} MB; load ${os
          .loadavg()
          .map((x) => round(x, 2))
          .join(' ')}`
      )
    }, 60_000)
    const label = `cleanup.apply over ${n} images`
    ctx.log(`million: ${label} (probe every ${PROBE_MS} ms)…`)
    const load0 = os.loadavg()
    loop.enable()
    const t0 = performance.now()
    let result: { changed: number; batchId: number | null }
    try {
      result = await core.call('cleanup.apply', {
        target: { datasetId: ds.id },
        presets: [],
        steps: [],
        userRules: [
          { id: 'mark', find: '^(.)', replace: '※ $1', regex: true, fields: ['zh', 'en'] }
        ]
      })
    } finally {
      clearInterval(progress)
      running = false
      loop.disable()
      await probing
    }
    const wallMs = elapsedMs(t0)
    const load1 = os.loadavg()
    const [top] = await core.call('history.list', { limit: 1 })
    const stall = summarize(lat)
    const loopDelay = {
      p99: round(loop.percentile(99) / 1e6, 1),
      max: round(loop.max / 1e6, 1)
    }
    const details = {
      images: n,
      op: 'cleanup.apply, user rule ^(.) → ※ $1 on zh and en (every caption)',
      changed: result.changed,
      journalEntries: top?.id === result.batchId ? top?.items : null,
      historyEntries: top?.id === result.batchId ? 1 : null,
      wallSeconds: round(wallMs / 1000, 1),
      usPerImage: round((wallMs * 1000) / n, 1),
      probes: lat.length,
      probeLatency: stall,
      idleProbe: ref,
      eventLoopDelay: loopDelay,
      rssIdleMB: round(rssIdle / MB, 0),
      rssPeakMB: round(rssPeak / MB, 0),
      loadAverage: { before: load0.map((x) => round(x, 2)), after: load1.map((x) => round(x, 2)) }
    }
    ctx.log(
      `million: ${label}: ${result.changed} changed in ${round(wallMs / 1000, 1)} s; probe p50 ${stall.p50} p99 ${stall.p99} max ${stall.max} ms (${lat.length} probes; idle probe p50 ${ref.p50} p99 ${ref.p99} max ${ref.max} ms); loop delay p99 ${loopDelay.p99} max ${loopDelay.max} ms; RSS ${details.rssIdleMB} → peak ${details.rssPeakMB} MB; load ${load0.map((x) => round(x, 2)).join(' ')} → ${load1.map((x) => round(x, 2)).join(' ')}`
    )
    const refOf = (what: 'max' | 'p99') => ({
      name: `the same probe loop on the idle core for ${refSeconds} s (${what})`,
      value: ref[what],
      unit: 'ms'
    })
    return [
      figure({
        id: 'million.bulkApply.stallMax',
        description: `longest wait for a grid page while ${label} rewrites every caption as one undoable batch (probe every ${PROBE_MS} ms, from its due time to its answer)`,
        measured: { name: 'longest probe latency', value: stall.max, unit: 'ms' },
        reference: refOf('max'),
        target: { of: 'value', max: 200 },
        details
      }),
      figure({
        id: 'million.bulkApply.stallP99',
        description: `p99 wait for a grid page while ${label} runs`,
        measured: { name: 'probe latency p99', value: stall.p99, unit: 'ms' },
        reference: refOf('p99'),
        target: { of: 'value', max: 50 },
        details: { probes: lat.length, probeLatency: stall, wallSeconds: details.wallSeconds }
      }),
      figure({
        id: 'million.bulkApply.rss',
        description: `peak RSS of the process (core on the calling thread) while ${label} runs`,
        measured: { name: 'peak RSS', value: details.rssPeakMB, unit: 'MB' },
        reference: {
          name: 'RSS with the library open and idle',
          value: details.rssIdleMB,
          unit: 'MB'
        },
        target: { of: 'value', max: 400 },
        details: { wallSeconds: details.wallSeconds, changed: result.changed }
      })
    ]
  } finally {
    await core.close()
  }
}
