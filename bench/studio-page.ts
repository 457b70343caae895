/**
 * The in-page halves of the studio benchmark (bench/studio.ts), as plain browser JavaScript
 * strings: the node tsconfig has no DOM types, and these run inside Chromium, not here.
 *
 * All times are `performance.now()` in the page, that is milliseconds since the navigation
 * started (the document's time origin).
 */

/**
 * Installed with `addInitScript` before any navigation, so it runs first in every document.
 * - blank page (`/blank.html`): `paintAt` = the first frame painted after DOMContentLoaded.
 * - dataset page (`#/datasets/<id>`): waits for the first `[data-testid=grid-row]`; after the
 *   frame that paints it (`rowsAt`) presses ArrowDown (a keydown on window, where the app's one
 *   key listener is) and, once a row is `aria-selected="true"`, records `interactiveAt` = the end
 *   of the frame that paints the selection. If the app was not yet listening, the press is
 *   repeated once a frame (`keyPresses` counts them).
 * "After the frame that paints X" is a rAF callback followed by a MessageChannel task, which
 * runs once that frame's rendering (style, layout, paint) is done.
 * Long tasks (≥ 50 ms main-thread tasks) are collected from the start in `longTasks`.
 */
export const INIT_SCRIPT = String.raw`(() => {
  const b = { done: false, longTasks: [], keyPresses: 0 }
  window.__bench = b
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
  } catch {}
  const afterPaint = (cb) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel()
      ch.port1.onmessage = () => cb(performance.now())
      ch.port2.postMessage(null)
    })
  if (location.pathname.endsWith('/blank.html')) {
    document.addEventListener('DOMContentLoaded', () => {
      b.domContentLoadedAt = performance.now()
      afterPaint((t) => { b.paintAt = t; b.done = true })
    })
    return
  }
  if (!location.hash.startsWith('#/datasets/')) return
  const selected = () => document.querySelector('[data-testid="grid-row"][aria-selected="true"]')
  const press = () => {
    if (b.selectedSeenAt !== undefined) return
    b.keyPresses++
    if (b.keyAt === undefined) b.keyAt = performance.now()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, cancelable: true }))
    requestAnimationFrame(() => requestAnimationFrame(() => { if (!selected() && b.keyPresses < 120) press() }))
  }
  const mo = new MutationObserver(() => {
    if (b.rowsSeenAt === undefined && document.querySelector('[data-testid="grid-row"]')) {
      b.rowsSeenAt = performance.now()
      afterPaint((t) => { b.rowsAt = t; press() })
    }
    if (b.keyAt !== undefined && b.selectedSeenAt === undefined && selected()) {
      b.selectedSeenAt = performance.now()
      mo.disconnect()
      afterPaint((t) => { b.interactiveAt = t; b.done = true })
    }
  })
  mo.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-selected'] })
})()`

/** rAF deltas of the (idle) page for `frames` frames: `(frames) => Promise<number[]>`. */
export const IDLE_FRAMES = String.raw`(frames) => new Promise((resolve) => {
  const deltas = []
  let last = null
  const tick = (ts) => {
    if (last !== null) deltas.push(ts - last)
    last = ts
    if (deltas.length >= frames) resolve(deltas)
    else requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})`

/**
 * Scrolls the grid by `stepPx` each animation frame until `rows` rows of `rowHeight` have
 * passed, never past what is loaded (a frame that could not advance the full step because the
 * next page had not arrived counts as `stalledFrames`). Records rAF deltas and long tasks.
 * `(opts: {rows, rowHeight, stepPx, timeoutMs}) => Promise<ScrollResult>`.
 */
export const SCROLL_GRID = String.raw`(opts) => new Promise((resolve, reject) => {
  const el = document.querySelector('[data-testid="grid"]')
  if (!el) { reject(new Error('no [data-testid=grid] on the page')); return }
  const longTasks = []
  let po = null
  try {
    po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration })
    })
    po.observe({ type: 'longtask' })
  } catch {}
  const startTop = el.scrollTop
  const endTop = startTop + opts.rows * opts.rowHeight
  const deltas = []
  let last = null
  let stalledFrames = 0
  const t0 = performance.now()
  const finish = (error) => {
    // long tasks are delivered asynchronously: give the observer a moment
    setTimeout(() => {
      if (po) { for (const e of po.takeRecords()) longTasks.push({ start: e.startTime, duration: e.duration }); po.disconnect() }
      const rendered = [...document.querySelectorAll('[data-testid="grid-row"]')].map((r) => Number(r.dataset.index))
      resolve({
        deltas, longTasks, stalledFrames, error: error || null,
        ms: performance.now() - t0,
        rowsPassed: (el.scrollTop - startTop) / opts.rowHeight,
        lastRenderedIndex: rendered.length ? Math.max(...rendered) : -1,
        renderedRows: rendered.length
      })
    }, 200)
  }
  const tick = (ts) => {
    if (last !== null) deltas.push(ts - last)
    last = ts
    if (el.scrollTop >= endTop - 1) { finish(); return }
    if (performance.now() - t0 > opts.timeoutMs) { finish('timed out at scrollTop ' + el.scrollTop); return }
    const max = el.scrollHeight - el.clientHeight
    const want = Math.min(el.scrollTop + opts.stepPx, endTop)
    if (want > max) stalledFrames++
    el.scrollTop = Math.min(want, max)
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})`

/**
 * Watches the page for `ms` milliseconds: rAF deltas and long tasks, for example after an edit.
 * `(ms) => Promise<{deltas, longTasks}>`.
 */
export const WATCH_FRAMES = String.raw`(ms) => new Promise((resolve) => {
  const longTasks = []
  let po = null
  try {
    po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration })
    })
    po.observe({ type: 'longtask' })
  } catch {}
  const deltas = []
  let last = null
  const t0 = performance.now()
  const tick = (ts) => {
    if (last !== null) deltas.push(ts - last)
    last = ts
    if (performance.now() - t0 < ms) { requestAnimationFrame(tick); return }
    setTimeout(() => {
      if (po) { for (const e of po.takeRecords()) longTasks.push({ start: e.startTime, duration: e.duration }); po.disconnect() }
      resolve({ deltas, longTasks })
    }, 200)
  }
  requestAnimationFrame(tick)
})`
