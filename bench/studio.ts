/**
 * Issues 3 and 15: the studio's grid in Chromium (playwright-core, headless) on a 100,000-image
 * library served by `startServer` in this process, as `glossa serve` would — with the one-row
 * toolbar, the resizable editor (letterboxed image, neighbours preloaded) and fast review in place.
 * Targets (issue 15, for slow machines too): interactive ≤ 4× the blank page measured in the same
 * run, scroll frame p95 ≤ 20 ms, no task over 50 ms while scrolling 10,000 rows.
 *
 * - studio.load: navigation to `#/datasets/<id>` (auth cookie set, fresh browser context so
 *   nothing is cached) → interactive grid: the first rows are painted, ArrowDown is pressed and
 *   the frame that paints the selected row has finished (see studio-page.ts). Reference: the same
 *   measurement of a blank page on the same server (navigation → first painted frame).
 * - studio.scrollFrames / studio.scrollLongTask: scrolling through 10,000 rows, 10 rows (520 px)
 *   per animation frame, the grid paging from the core as it goes: p95 of the rAF intervals and
 *   the longest main-thread task. Reference: rAF intervals of an idle page (the display's frame).
 * - studio.editAtDepth: approving a row (key `a`) 10,000 rows down, then watching 3 s of frames:
 *   the longest main-thread task and how many grid pages the studio refetched.
 *
 * Thumbnails are real: 48 generated JPEGs rendered by the core's thumbnailer, shared by sha256
 * across all rows, so every grid row shows a decoded WebP as it would in a real library.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { createCore, type Core } from '../src-main/core'
import { startServer, type GlossaServer } from '../src-main/server'
import { attachImages, ensureBuilt } from './studio-setup'
import { INIT_SCRIPT, IDLE_FRAMES, SCROLL_GRID, WATCH_FRAMES } from './studio-page'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { seededCopy, summarize, type Summary } from './util'

const ROW_H = 52 // Grid.tsx ROW_H
const STEP_PX = 520
const VIEWPORT = { width: 1366, height: 768 }
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run'
]

interface LongTask {
  start: number
  duration: number
}
interface LoadMarks {
  done: boolean
  longTasks: LongTask[]
  keyPresses: number
  paintAt?: number
  domContentLoadedAt?: number
  rowsSeenAt?: number
  rowsAt?: number
  keyAt?: number
  selectedSeenAt?: number
  interactiveAt?: number
}
interface ScrollResult {
  deltas: number[]
  longTasks: LongTask[]
  stalledFrames: number
  error: string | null
  ms: number
  rowsPassed: number
  lastRenderedIndex: number
  renderedRows: number
}

async function newContext(browser: Browser, server: GlossaServer): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT })
  await context.addInitScript(INIT_SCRIPT)
  // trade the token for the session cookie on the blank page: nothing of the app gets cached
  const p = await context.newPage()
  await p.goto(`${server.origin}/blank.html?token=${server.token}`)
  await p.close()
  return context
}

async function measureNavigation(context: BrowserContext, url: string): Promise<[Page, LoadMarks]> {
  const page = await context.newPage()
  await page.goto(url)
  // a function, not a string: the studio's CSP forbids eval, which string predicates need
  await page.waitForFunction(
    () => (globalThis as { __bench?: LoadMarks }).__bench?.done === true,
    null,
    { timeout: 60_000 }
  )
  return [page, (await page.evaluate('window.__bench')) as LoadMarks]
}

/** Every API call a page makes from now on, with when its response had fully arrived. */
function countApiCalls(page: Page) {
  const calls: { method: string; at: number }[] = []
  page.on('requestfinished', (r) => {
    const m = /\/api\/([\w.]+)$/.exec(r.url())
    if (m && m[1] !== 'events') calls.push({ method: m[1]!, at: performance.now() })
  })
  return {
    calls,
    reset: () => void calls.splice(0),
    count: (method: string) => calls.filter((c) => c.method === method).length,
    byMethod: () => {
      const out: Record<string, number> = {}
      for (const c of calls) out[c.method] = (out[c.method] ?? 0) + 1
      return out
    }
  }
}

/**
 * The core as the server sees it, with every call's time in the core recorded per method (the
 * figures' details say which calls the studio made and what each cost — at 1M, which are slow).
 */
function timedCore(core: Core) {
  const times = new Map<string, number[]>()
  const call: Core['call'] = async (method, args) => {
    const t0 = performance.now()
    try {
      return await core.call(method, args)
    } finally {
      const list = times.get(method) ?? []
      list.push(performance.now() - t0)
      times.set(method, list)
    }
  }
  const timed = new Proxy(core, {
    get(target, key) {
      if (key === 'call') return call
      const v = Reflect.get(target, key) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  })
  return {
    core: timed,
    /** per method since the last take: count, p50, max, total ms (slowest total first) */
    take(): Record<string, { n: number; p50: number; max: number; totalMs: number }> {
      const out: [string, { n: number; p50: number; max: number; totalMs: number }][] = []
      for (const [m, xs] of times) {
        const s = summarize(xs)
        out.push([
          m,
          {
            n: s.n,
            p50: s.p50,
            max: s.max,
            totalMs: round(
              xs.reduce((a, b) => a + b, 0),
              1
            )
          }
        ])
      }
      times.clear()
      return Object.fromEntries(out.sort((a, b) => b[1].totalMs - a[1].totalMs))
    }
  }
}

/** 1-minute load average / cores: above 1, other processes were competing for the CPU. */
const loadavg = (): number => round(os.loadavg()[0]! / os.cpus().length, 2)

const maxOf = (ts: LongTask[]): number => round(Math.max(0, ...ts.map((t) => t.duration)), 1)

export const studioGrid: Benchmark = {
  name: 'studio',
  issue: 3,
  description:
    'studio grid in Chromium on 100,000 images: navigation to an interactive grid, frame times scrolling 10,000 rows',
  async run(ctx): Promise<Figure[]> {
    return measureStudio(ctx, await seededCopy(ctx, 100_000, 11), 'studio')
  }
}

/**
 * The studio figures (load, scroll frames, longest task, edit at depth) on the library file
 * `lib`, which is written to (thumbnail sources are attached, one row is approved): pass a copy.
 * Figure ids start with `prefix` ('studio', or 'million.studio' for the 1M library).
 */
export async function measureStudio(
  ctx: BenchContext,
  lib: string,
  prefix: string
): Promise<Figure[]> {
  const loadRuns = ctx.quick ? 3 : 7
  const scrollRows = ctx.quick ? 3_000 : 10_000
  const scrollPasses = ctx.quick ? 1 : 2
  const built = ensureBuilt(ctx)
  const rendererSrc = built.dir
  // a private copy of the build with a blank page for the reference
  const rendererDir = path.join(ctx.tmpDir, 'renderer')
  fs.cpSync(rendererSrc, rendererDir, { recursive: true })
  fs.writeFileSync(
    path.join(rendererDir, 'blank.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n'
  )
  const thumbIds = await attachImages(lib, path.join(ctx.tmpDir, 'images'))

  const core = createCore({ dataDir: path.join(ctx.tmpDir, 'data'), libraryFile: lib })
  let server: GlossaServer | null = null
  let browser: Browser | null = null
  try {
    for (const id of thumbIds) await core.media(id, 'thumb')
    const ds = (await core.call('datasets.list', {}))[0]
    if (!ds) throw new Error('seeded library has no dataset')
    const timing = timedCore(core)
    server = await startServer({ core: timing.core, rendererDir, log: ctx.log })
    browser = await chromium.launch({
      executablePath: process.env.GLOSSA_CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true
    })
    ctx.log(`studio: ${ds.images} images, Chromium ${browser.version()}`)
    const gridUrl = `${server.origin}/#/datasets/${ds.id}`

    // warm-up (the server's prepared statements, Chromium's process pool); not recorded
    {
      const c = await newContext(browser, server)
      await measureNavigation(c, gridUrl)
      await c.close()
    }
    timing.take()
    const blank: LoadMarks[] = []
    const app: LoadMarks[] = []
    for (let i = 0; i < loadRuns; i++) {
      const c = await newContext(browser, server)
      blank.push((await measureNavigation(c, `${server.origin}/blank.html`))[1])
      app.push((await measureNavigation(c, gridUrl))[1])
      await c.close()
    }
    const loadCalls = timing.take()
    const loadMs = app.map((m) => m.interactiveAt ?? Number.NaN)
    const blankMs = blank.map((m) => m.paintAt ?? Number.NaN)
    const load = summarize(loadMs)
    const loadAtLoad = loadavg()
    const blankS = summarize(blankMs)
    ctx.log(`  interactive grid p50 ${load.p50} ms (max ${load.max}); blank page ${blankS.p50} ms`)
    ctx.log(`  core calls during the loads: ${JSON.stringify(loadCalls)}`)

    // frames: idle reference, then the scroll, then an edit at depth, on one page
    const context = await newContext(browser, server)
    const [idlePage] = await measureNavigation(context, `${server.origin}/blank.html`)
    const idle = summarize(
      (await idlePage.evaluate(`(${IDLE_FRAMES})(${ctx.quick ? 120 : 300})`)) as number[]
    )
    await idlePage.close()
    // Two passes, each on a freshly opened grid; the figure is the better pass (other
    // processes on a shared machine only ever make frames slower), both are in the details.
    const passes: { scroll: ScrollResult; frames: Summary; pageRequests: number }[] = []
    let page: Page | null = null
    for (let pass = 0; pass < scrollPasses; pass++) {
      await page?.close()
      page = (await measureNavigation(context, gridUrl))[0]
      const calls = countApiCalls(page)
      const scroll = (await page.evaluate(
        `(${SCROLL_GRID})(${JSON.stringify({ rows: scrollRows, rowHeight: ROW_H, stepPx: STEP_PX, timeoutMs: 300_000 })})`
      )) as ScrollResult
      if (scroll.error) throw new Error(`scrolling the grid: ${scroll.error}`)
      const frames = summarize(scroll.deltas)
      passes.push({ scroll, frames, pageRequests: calls.count('images.page') })
      ctx.log(
        `  scroll pass ${pass + 1}: ${round(scroll.rowsPassed, 0)} rows in ${round(scroll.ms, 0)} ms: frame p50 ${frames.p50} p95 ${frames.p95} max ${frames.max} ms, longest task ${maxOf(scroll.longTasks)} ms, stalled frames ${scroll.stalledFrames} (load average ${loadavg()})`
      )
    }
    if (!page) throw new Error('no scroll pass ran')
    const scrollCalls = timing.take()
    ctx.log(`  core calls during the scroll passes: ${JSON.stringify(scrollCalls)}`)
    const best = [...passes].sort(
      (a, b) => a.frames.p95 - b.frames.p95 || maxOf(a.scroll.longTasks) - maxOf(b.scroll.longTasks)
    )[0]!
    const { scroll, frames } = best
    const scrollRequests = best.pageRequests
    const apiCalls = countApiCalls(page)

    // approve the row in the middle of the viewport, 10,000 rows down (fast review then
    // selects the next row: the approved one is found by its id)
    const mid = page.locator('[data-testid="grid-row"]').nth(8)
    const midId = await mid.getAttribute('data-id')
    await mid.dispatchEvent('mousedown')
    await page.waitForSelector('[data-testid="grid-row"][aria-selected="true"]')
    await page.waitForTimeout(500) // let the editor's detail load settle
    apiCalls.reset()
    const watch = page.evaluate(`(${WATCH_FRAMES})(3000)`) as Promise<{
      deltas: number[]
      longTasks: LongTask[]
    }>
    const pressedAt = performance.now()
    await page.keyboard.press('a')
    const after = await watch
    await page.waitForSelector(`[data-testid="grid-row"][data-id="${midId}"] .status-approved`)
    const editFrames = summarize(after.deltas)
    const editCalls = apiCalls.byMethod()
    const settledMs = round(Math.max(0, ...apiCalls.calls.map((c) => c.at - pressedAt)), 0)
    ctx.log(
      `  approve at depth: ${editCalls['images.page'] ?? 0} page requests (${apiCalls.calls.length} API calls, last done after ${settledMs} ms), longest task ${maxOf(after.longTasks)} ms, frame p95 ${editFrames.p95} ms`
    )
    await context.close()

    const frameRef = { name: 'idle page rAF interval (p95)', value: idle.p95, unit: 'ms' }
    const loadDetails = {
      images: ds.images,
      runs: loadRuns,
      interactive: load,
      firstRowsPainted: summarize(app.map((m) => m.rowsAt ?? Number.NaN)),
      keyPresses: app.map((m) => m.keyPresses),
      longestTaskDuringLoad: summarize(app.map((m) => maxOf(m.longTasks))),
      blankPage: blankS,
      cache: 'fresh browser context per run (cold HTTP cache)',
      build: built.build,
      loadAverage: loadAtLoad,
      coreCalls: loadCalls
    }
    return [
      figure({
        id: `${prefix}.load`,
        description: `navigation to #/datasets/<id> on ${ds.images} images → first rows painted and ArrowDown's selection painted (median of ${loadRuns} cold loads)`,
        measured: { name: 'navigation → interactive grid (p50)', value: load.p50, unit: 'ms' },
        reference: {
          name: 'navigation → first paint of a blank page, same server (p50)',
          value: blankS.p50,
          unit: 'ms'
        },
        target: { of: 'ratio', max: 4 },
        details: loadDetails
      }),
      figure({
        id: `${prefix}.scrollFrames`,
        description: `rAF intervals while scrolling ${scrollRows} rows at ${STEP_PX} px per frame, paging from the core (better of ${scrollPasses} passes)`,
        measured: { name: 'scrolling rAF interval (p95)', value: frames.p95, unit: 'ms' },
        reference: frameRef,
        target: { of: 'value', max: 20 },
        details: {
          frames,
          idle,
          rowsPassed: round(scroll.rowsPassed, 0),
          scrollMs: round(scroll.ms, 0),
          stalledFrames: scroll.stalledFrames,
          pageRequests: scrollRequests,
          renderedRows: scroll.renderedRows,
          passes: passes.map((p) => ({
            frames: p.frames,
            longestTask: maxOf(p.scroll.longTasks),
            longTasks: p.scroll.longTasks.length,
            stalledFrames: p.scroll.stalledFrames
          })),
          loadAverage: loadavg(),
          build: built.build,
          coreCalls: scrollCalls
        }
      }),
      figure({
        id: `${prefix}.scrollLongTask`,
        description: `longest main-thread task (long tasks are ≥ 50 ms; 0 = none) while scrolling ${scrollRows} rows`,
        measured: {
          name: 'longest task while scrolling',
          value: maxOf(scroll.longTasks),
          unit: 'ms'
        },
        reference: { name: 'idle page rAF interval (p50)', value: idle.p50, unit: 'ms' },
        target: { of: 'value', max: 50 },
        details: {
          longTasks: scroll.longTasks.length,
          durations: scroll.longTasks.map((t) => round(t.duration, 1))
        }
      }),
      figure({
        id: `${prefix}.editAtDepth`,
        description: `approving a row (key a) ${scrollRows} rows down: longest main-thread task in the next 3 s`,
        measured: {
          name: 'longest task after the edit',
          value: maxOf(after.longTasks),
          unit: 'ms'
        },
        reference: { name: 'idle page rAF interval (p50)', value: idle.p50, unit: 'ms' },
        target: { of: 'value', max: 100 },
        details: {
          pageRequests: editCalls['images.page'] ?? 0,
          apiCalls: editCalls,
          lastApiResponseMs: settledMs,
          frames: editFrames,
          longTasks: after.longTasks.map((t) => round(t.duration, 1))
        }
      })
    ]
  } finally {
    await browser?.close()
    await server?.close()
    await core.close()
  }
}
