/**
 * A bounded-concurrency request pool for one endpoint.
 *  - At most `concurrency` tasks run at once; the rest wait in FIFO order, retries ahead of first
 *    attempts (`priority`), so an image being retried is never starved by fresh ones.
 *  - `pauseFor(ms)`: a server that answers 429/503 with Retry-After wants the whole CLIENT to back
 *    off, so nothing new starts before the deadline (tasks already in flight finish normally; a
 *    later, longer pause extends the deadline, a shorter one never shortens it).
 *  - `abort(reason)`: every running task's signal aborts (in-flight requests are cancelled),
 *    waiting tasks reject with the reason and nothing new starts.
 * Why not p-limit (already in node_modules as a transitive dependency): it has no notion of a
 * shared pause gate or of priority, and both are the point here; the pool is ~100 lines.
 */

export interface PoolOptions {
  concurrency: number
  /** aborting it aborts the pool (the job's cancel signal) */
  signal?: AbortSignal
  /** clock, for tests; default Date.now */
  now?: () => number
}

export interface PoolStats {
  concurrency: number
  inFlight: number
  /** the most tasks ever running at once */
  peakInFlight: number
  waiting: number
  /** epoch ms before which nothing starts, or null */
  pausedUntil: number | null
  started: number
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

export class PoolAbortedError extends Error {
  constructor(reason: unknown) {
    super(reason instanceof Error ? reason.message : 'the request pool was aborted')
    this.name = 'PoolAbortedError'
  }
}

export class RequestPool {
  readonly concurrency: number
  private readonly controller = new AbortController()
  private readonly now: () => number
  private readonly first: Waiter[] = []
  private readonly retries: Waiter[] = []
  private active = 0
  private peak = 0
  private startedCount = 0
  private until = 0
  private timer: NodeJS.Timeout | null = null
  private readonly onOuterAbort: (() => void) | null = null
  private readonly outer: AbortSignal | undefined

  constructor(opts: PoolOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, not ${opts.concurrency}`)
    this.concurrency = opts.concurrency
    this.now = opts.now ?? Date.now
    this.outer = opts.signal
    if (opts.signal) {
      if (opts.signal.aborted) this.abort(opts.signal.reason)
      else {
        this.onOuterAbort = () => this.abort(opts.signal!.reason)
        opts.signal.addEventListener('abort', this.onOuterAbort, { once: true })
      }
    }
  }

  /** Aborts when the pool is aborted; hand it to every request the pool runs. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  get aborted(): boolean {
    return this.controller.signal.aborted
  }

  stats(): PoolStats {
    return {
      concurrency: this.concurrency,
      inFlight: this.active,
      peakInFlight: this.peak,
      waiting: this.first.length + this.retries.length,
      pausedUntil: this.until > this.now() ? this.until : null,
      started: this.startedCount
    }
  }

  /** Nothing new starts for `ms` milliseconds (from now); extends, never shortens, a pause. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return
    const until = this.now() + ms
    if (until > this.until) this.until = until
    this.pump()
  }

  /**
   * Runs `task` when a slot is free and no pause is pending. `task` gets the pool's signal.
   * Rejects with a PoolAbortedError when the pool is aborted before the task starts.
   */
  async run<T>(
    task: (signal: AbortSignal) => Promise<T>,
    opts: { priority?: boolean } = {}
  ): Promise<T> {
    await this.acquire(opts.priority === true)
    try {
      return await task(this.controller.signal)
    } finally {
      this.active--
      this.pump()
    }
  }

  /** Aborts running tasks (their signal) and rejects waiting ones; idempotent. */
  abort(reason?: unknown): void {
    if (this.controller.signal.aborted) return
    this.controller.abort(reason)
    if (this.onOuterAbort) this.outer?.removeEventListener('abort', this.onOuterAbort)
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const err = new PoolAbortedError(reason)
    for (const w of [...this.retries.splice(0), ...this.first.splice(0)]) w.reject(err)
  }

  private acquire(priority: boolean): Promise<void> {
    if (this.controller.signal.aborted)
      return Promise.reject(new PoolAbortedError(this.controller.signal.reason))
    return new Promise<void>((resolve, reject) => {
      ;(priority ? this.retries : this.first).push({ resolve, reject })
      this.pump()
    })
  }

  private pump(): void {
    if (this.controller.signal.aborted) return
    const wait = this.until - this.now()
    if (wait > 0) {
      if (this.first.length + this.retries.length > 0 && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null
          this.pump()
        }, wait)
      }
      return
    }
    while (this.active < this.concurrency) {
      const w = this.retries.shift() ?? this.first.shift()
      if (!w) break
      this.active++
      this.startedCount++
      if (this.active > this.peak) this.peak = this.active
      w.resolve()
    }
  }
}

/**
 * Runs `fn` over `items` (pulled lazily, so an async iterator paging a database works) with at most
 * `limit` calls pending. Stops pulling when `signal` aborts or a call throws; waits for the calls
 * already started, then rethrows the first error (an abort alone is not an error: it just ends).
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T, index: number) => Promise<void>
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be ≥ 1, not ${limit}`)
  const it =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]()
  let index = 0
  let failed = false
  let firstError: unknown = null
  let done = false
  // one puller at a time: iterators must not be advanced concurrently
  let pulling: Promise<IteratorResult<T>> | null = null
  const next = async (): Promise<IteratorResult<T>> => {
    while (pulling) await pulling.catch(() => undefined)
    const p = Promise.resolve(it.next())
    pulling = p
    try {
      return await p
    } finally {
      pulling = null
    }
  }
  const lane = async (): Promise<void> => {
    while (!done && !failed && !signal?.aborted) {
      const r = await next()
      if (r.done) {
        done = true
        return
      }
      if (failed || signal?.aborted) return
      try {
        await fn(r.value, index++)
      } catch (err) {
        if (!failed) {
          failed = true
          firstError = err
        }
        return
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: limit }, lane))
  } finally {
    if (!done) await it.return?.()
  }
  if (failed) throw firstError
}
