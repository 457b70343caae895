/**
 * The studio side of the review benchmark (bench/review.ts): a Chromium page (playwright-core,
 * headless) on the dataset grid, served by `startServer` from the same in-process core that runs
 * the bulk job, watching its own main thread while the job runs.
 *
 * In the page: a PerformanceObserver for 'longtask' entries (main-thread tasks ≥ 50 ms) and an
 * EventSource on /api/events (the transport the studio itself uses) recording when each
 * `job.progress` event arrives. The studio's own event stream refreshes the grid on the job's
 * `library.changed` events meanwhile, so the page does what a user would see it do.
 */
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Core } from '../src-main/core'
import { startServer, type GlossaServer } from '../src-main/server'
import { ensureBuilt } from './studio-setup'
import { IDLE_FRAMES, INIT_SCRIPT } from './studio-page'
import type { BenchContext } from './types'

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run'
]

/** Starts recording in the page: `window.__jobWatch`. A plain string: runs in Chromium. */
const START_WATCH = String.raw`(() => {
  const w = { longTasks: [], progress: [], finishedAt: null, t0: performance.now() }
  window.__jobWatch = w
  try {
    w.po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration })
    })
    w.po.observe({ type: 'longtask' })
  } catch {}
  w.es = new EventSource('/api/events')
  w.es.addEventListener('job.progress', () => w.progress.push(performance.now()))
  w.es.addEventListener('job.finished', () => { w.finishedAt = performance.now() })
  return new Promise((resolve) => w.es.addEventListener('open', () => resolve(true)))
})()`

/** Stops recording after a moment (long-task entries are delivered asynchronously). */
const STOP_WATCH = String.raw`new Promise((resolve) => setTimeout(() => {
  const w = window.__jobWatch
  if (w.po) { for (const e of w.po.takeRecords()) w.longTasks.push({ start: e.startTime, duration: e.duration }); w.po.disconnect() }
  w.es.close()
  resolve({ longTasks: w.longTasks, progress: w.progress, finishedAt: w.finishedAt, t0: w.t0, t1: performance.now() })
}, 300))`

export interface PageWatch {
  longTasks: { start: number; duration: number }[]
  /** page times at which job.progress events arrived */
  progress: number[]
  finishedAt: number | null
  t0: number
  t1: number
  /** API calls the studio made meanwhile, by method (set by stopWatch) */
  apiCalls?: Record<string, number>
}

export interface StudioPage {
  /** starts recording long tasks and job.progress arrivals in the page */
  startWatch(): Promise<void>
  stopWatch(): Promise<PageWatch>
  /** longest task on the page while it sits idle for `ms` */
  idleLongest(ms: number): Promise<number>
  /** rAF intervals of the idle page over `frames` frames (the display's frame) */
  idleFrames(frames: number): Promise<number[]>
  chromiumVersion: string
  close(): Promise<void>
}

async function newContext(browser: Browser, server: GlossaServer): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await context.addInitScript(INIT_SCRIPT)
  const p = await context.newPage()
  await p.goto(`${server.origin}/?token=${server.token}`)
  await p.close()
  return context
}

/** Serves `core` and opens the grid of `datasetId` in headless Chromium, interactive. */
export async function openStudioGrid(
  ctx: BenchContext,
  core: Core,
  datasetId: number
): Promise<StudioPage> {
  const built = ensureBuilt(ctx)
  let server: GlossaServer | null = null
  let browser: Browser | null = null
  try {
    server = await startServer({ core, rendererDir: built.dir, log: ctx.log })
    browser = await chromium.launch({
      executablePath: process.env.GLOSSA_CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true
    })
    const context = await newContext(browser, server)
    const page: Page = await context.newPage()
    await page.goto(`${server.origin}/#/datasets/${datasetId}`)
    await page.waitForFunction(
      () => (globalThis as { __bench?: { done: boolean } }).__bench?.done === true,
      null,
      { timeout: 60_000 }
    )
    await page.waitForTimeout(500) // the editor's detail load settles
    ctx.log(
      `review: studio grid open in Chromium ${browser.version()} (${path.basename(built.dir)}: ${built.build})`
    )
    const calls: Record<string, number> = {}
    let counting = false
    page.on('requestfinished', (r) => {
      const m = /\/api\/([\w.]+)$/.exec(r.url())
      if (counting && m && m[1] !== 'events') calls[m[1]!] = (calls[m[1]!] ?? 0) + 1
    })
    const b = browser
    const s = server
    return {
      chromiumVersion: browser.version(),
      async startWatch() {
        for (const k of Object.keys(calls)) delete calls[k]
        counting = true
        await page.evaluate(START_WATCH)
      },
      async stopWatch() {
        const w = (await page.evaluate(STOP_WATCH)) as PageWatch
        counting = false
        return { ...w, apiCalls: { ...calls } }
      },
      async idleLongest(ms) {
        await page.evaluate(START_WATCH)
        await page.waitForTimeout(ms)
        const w = (await page.evaluate(STOP_WATCH)) as PageWatch
        return Math.max(0, ...w.longTasks.map((t) => t.duration))
      },
      async idleFrames(frames) {
        return (await page.evaluate(`(${IDLE_FRAMES})(${frames})`)) as number[]
      },
      async close() {
        await b.close()
        await s.close()
      }
    }
  } catch (err) {
    await browser?.close()
    await server?.close()
    throw err
  }
}
