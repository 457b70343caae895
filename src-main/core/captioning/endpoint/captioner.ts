/**
 * Captioning with one endpoint: image preparation (image.ts) → a slot in the endpoint's request
 * pool (pool.ts) → one chat-completions attempt (client.ts) → retries by error kind (errors.ts,
 * retry.ts).
 *
 * `caption(input)` resolves to an outcome for THIS image — `{ ok: true, text, … }` or
 * `{ ok: false, error }` for a per-image failure (the job records it and carries on) — and
 * rejects with a job-fatal EndpointError (auth, quota, not-found, config, an unreachable server
 * or a rate limit that outlasted its retries, `maxConsecutiveFailures` failed images in a row)
 * or a 'cancelled' one. The first fatal error aborts the pool: requests in flight are cancelled,
 * every later `caption()` rejects with that same error at once, so a job sees one reason.
 *
 * Retries: rate-limited (429/503) pauses the WHOLE pool until the server's Retry-After (or a
 * jittered backoff) has passed and retries up to `maxRateLimitRetries` times; timeouts, 5xx,
 * resets and refused connections back off (full jitter) and retry up to `maxRetries` times,
 * releasing their slot while they wait and taking the next free one ahead of first attempts.
 *
 * Image preparation (decode, orient, resize, re-encode) happens before a request slot is taken,
 * so the next images are ready while N requests are in flight; it has its own small bound
 * (`prepareConcurrency`) because it is CPU work and must leave a core to the event loop.
 */
import os from 'node:os'
import { EndpointError, type ApiKey } from './errors'
import { chatCaption, listModels, testConnection, type ChatUsage, type Endpoint } from './client'
import { ImagePrepareError, prepareImage, type PreparedImage } from './image'
import { RequestPool } from './pool'
import { DEFAULT_RETRY_POLICY, retryDelay, sleep, type RetryPolicy } from './retry'
import type { EndpointDefinition } from './schema'

export interface EndpointCaptionerOptions {
  /** the key for this run (from keyEnv or safeStorage); null when the endpoint needs none */
  apiKey: ApiKey | null
  /** aborting it cancels the captioner: in-flight requests are aborted, nothing new starts */
  signal?: AbortSignal
  retry?: Partial<RetryPolicy>
  /** this many failed images in a row stop the job (default 10; bad requests do not count) */
  maxConsecutiveFailures?: number
  /** images decoded/re-encoded at once (sharp, on libuv's pool); default: one fewer than the
   *  cores, 1 to 4, so image work never takes every core from the event loop */
  prepareConcurrency?: number
  /** jitter source, for tests */
  random?: () => number
  /** progress remarks (retries, pauses) for a job log; they never contain the key */
  onEvent?: (e: CaptionerEvent) => void
}

export type CaptionerEvent =
  | {
      type: 'retry'
      kind: EndpointError['kind']
      attempt: number
      delayMs: number
      message: string
    }
  | { type: 'pause'; delayMs: number; message: string }

export interface CaptionInput {
  /** an image file path or its encoded bytes */
  image: string | Buffer
  prompt: string
  temperature?: number
  seed?: number
  maxTokens?: number
}

export interface SentImageInfo {
  width: number
  height: number
  mime: PreparedImage['mime']
  bytes: number
}

export type CaptionOutcome =
  | {
      ok: true
      text: string
      finishReason: string | null
      usage: ChatUsage | null
      warnings: string[]
      attempts: number
      image: SentImageInfo
    }
  | { ok: false; error: EndpointError; attempts: number }

type Decision =
  | { action: 'fatal'; error: EndpointError }
  | { action: 'fail'; error: EndpointError }
  | {
      action: 'retry'
      /** true: the pool is paused (rate limit); false: this request sleeps delayMs itself */
      pause: boolean
      delayMs: number
      kind: EndpointError['kind']
      message: string
    }

export class EndpointCaptioner {
  readonly endpoint: Endpoint
  readonly pool: RequestPool
  /** bounds image preparation (CPU), separately from requests in flight (network) */
  private readonly prep: RequestPool
  private readonly policy: RetryPolicy
  private readonly random: () => number
  private readonly maxConsecutive: number
  private readonly onEvent: (e: CaptionerEvent) => void
  private readonly outer: AbortSignal | undefined
  private consecutiveFailures = 0
  private fatalError: EndpointError | null = null

  constructor(def: EndpointDefinition, opts: EndpointCaptionerOptions) {
    this.endpoint = { def, apiKey: opts.apiKey }
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry }
    this.random = opts.random ?? Math.random
    this.maxConsecutive = opts.maxConsecutiveFailures ?? 10
    this.onEvent = opts.onEvent ?? (() => undefined)
    this.outer = opts.signal
    this.pool = new RequestPool({ concurrency: def.concurrency, signal: opts.signal })
    this.prep = new RequestPool({
      concurrency:
        opts.prepareConcurrency ?? Math.max(1, Math.min(4, os.availableParallelism() - 1)),
      signal: this.pool.signal
    })
  }

  /** The job-fatal error that stopped this captioner, if any. */
  get fatal(): EndpointError | null {
    return this.fatalError
  }

  listModels(signal?: AbortSignal): ReturnType<typeof listModels> {
    return listModels(this.endpoint, { signal })
  }

  testConnection(signal?: AbortSignal): ReturnType<typeof testConnection> {
    return testConnection(this.endpoint, { signal })
  }

  /** Stops everything: in-flight requests abort, waiting and later calls reject with `reason`. */
  abort(reason?: unknown): void {
    this.pool.abort(reason ?? this.cancelledError())
  }

  private cancelledError(): EndpointError {
    return new EndpointError(
      'cancelled',
      `endpoint "${this.endpoint.def.name}": captioning was cancelled`,
      { endpoint: this.endpoint.def.name }
    )
  }

  private stopWith(e: EndpointError): EndpointError {
    if (!this.fatalError) {
      this.fatalError = e
      this.pool.abort(e)
    }
    return this.fatalError
  }

  /** Throws when the captioner was stopped (fatal) or cancelled. */
  private check(): void {
    if (this.fatalError) throw this.fatalError
    if (this.outer?.aborted || this.pool.aborted) throw this.cancelledError()
  }

  /** Captions one image; see the module comment for what resolves and what rejects. */
  async caption(input: CaptionInput): Promise<CaptionOutcome> {
    this.check()
    const name = this.endpoint.def.name
    let image: PreparedImage
    try {
      image = await this.prep.run(() =>
        prepareImage(input.image, {
          maxSide: this.endpoint.def.maxSide,
          format: this.endpoint.def.imageFormat
        })
      )
    } catch (err) {
      this.check()
      const reason =
        err instanceof ImagePrepareError
          ? err.message
          : `the image cannot be prepared: ${String(err)}`
      return {
        ok: false,
        attempts: 0,
        error: new EndpointError(
          'image',
          `${typeof input.image === 'string' ? `${input.image}: ` : ''}${reason}`,
          {
            endpoint: name
          }
        )
      }
    }
    let attempts = 0
    const counters = { retries: 0, rateRetries: 0 }
    for (;;) {
      this.check()
      attempts++
      let decision: Decision | null = null
      try {
        const r = await this.pool.run(
          async (signal) => {
            try {
              return await chatCaption(this.endpoint, {
                prompt: input.prompt,
                image,
                temperature: input.temperature,
                seed: input.seed,
                maxTokens: input.maxTokens,
                signal
              })
            } catch (e) {
              // decided while this request still holds its slot, so that a pause or a stop
              // takes effect before the pool hands the slot to the next request
              if (e instanceof EndpointError && e.kind !== 'cancelled')
                decision = this.decide(e, attempts, counters)
              throw e
            }
          },
          { priority: attempts > 1 }
        )
        this.consecutiveFailures = 0
        return {
          ok: true,
          text: r.text,
          finishReason: r.finishReason,
          usage: r.usage,
          warnings: r.warnings,
          attempts,
          image: {
            width: image.width,
            height: image.height,
            mime: image.mime,
            bytes: image.bytes.length
          }
        }
      } catch (e) {
        const d = decision as Decision | null
        if (!d) {
          // cancelled, or the pool was aborted (by a fatal error elsewhere or by the caller)
          this.check()
          if (e instanceof EndpointError) throw e
          throw this.cancelledError()
        }
        if (d.action === 'fatal') throw this.fatalError ?? d.error
        if (d.action === 'fail') return this.imageFailed(d.error)
        if (!d.pause) {
          this.onEvent({
            type: 'retry',
            kind: d.kind,
            attempt: attempts,
            delayMs: d.delayMs,
            message: d.message
          })
          try {
            await sleep(d.delayMs, this.pool.signal)
          } catch {
            this.check()
            throw this.cancelledError()
          }
        }
      }
    }
  }

  /**
   * What to do after a failed attempt. Side effects happen here, inside the attempt's slot: a rate
   * limit pauses the pool, a fatal error aborts it.
   */
  private decide(
    err: EndpointError,
    attempts: number,
    counters: { retries: number; rateRetries: number }
  ): Decision {
    const p = this.policy
    const fatal = (e: EndpointError): Decision => ({ action: 'fatal', error: this.stopWith(e) })
    if (!err.retryable)
      return err.fatal
        ? fatal(err.withAttempts(attempts))
        : { action: 'fail', error: err.withAttempts(attempts) }
    if (err.kind === 'rate-limited') {
      if (err.retryAfterMs !== undefined && err.retryAfterMs > p.maxRetryAfterMs)
        return fatal(
          err.escalate(
            `${err.message}, longer than Glossa waits (${Math.round(p.maxRetryAfterMs / 1000)} s); the job stopped, resume it later`,
            attempts
          )
        )
      if (counters.rateRetries >= p.maxRateLimitRetries)
        return fatal(
          err.escalate(
            `${err.message}; still limited after ${counters.rateRetries} retries, so the job stopped (resume it later or lower the concurrency)`,
            attempts
          )
        )
      const delayMs = retryDelay(err.retryAfterMs, counters.rateRetries, p, this.random)
      counters.rateRetries++
      this.pool.pauseFor(delayMs)
      this.onEvent({ type: 'pause', delayMs, message: err.message })
      return { action: 'retry', pause: true, delayMs, kind: err.kind, message: err.message }
    }
    if (counters.retries >= p.maxRetries) {
      const final = `${err.message} (after ${attempts} attempts)`
      if (err.fatal)
        return fatal(
          err.escalate(`${final}; the job stopped, resume it when the server is back`, attempts)
        )
      return {
        action: 'fail',
        error: new EndpointError(err.kind, final, {
          ...err.details,
          retryable: false,
          fatal: false
        }).withAttempts(attempts)
      }
    }
    const delayMs = retryDelay(err.retryAfterMs, counters.retries, p, this.random)
    counters.retries++
    return { action: 'retry', pause: false, delayMs, kind: err.kind, message: err.message }
  }

  private imageFailed(error: EndpointError): CaptionOutcome {
    if (error.kind !== 'bad-request' && error.kind !== 'image') {
      this.consecutiveFailures++
      if (this.consecutiveFailures >= this.maxConsecutive)
        throw this.stopWith(
          error.escalate(
            `${error.message}; ${this.consecutiveFailures} images failed in a row, so the job stopped (resume it when the server is healthy)`
          )
        )
    }
    return { ok: false, error, attempts: error.details.attempts ?? 1 }
  }
}
