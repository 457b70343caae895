/**
 * Retry timing: Retry-After parsing and capped exponential backoff with full jitter.
 *  - `retry-after-ms` (OpenAI, Azure) wins over `retry-after`; `retry-after` is either
 *    delay-seconds (integer; decimals tolerated) or an HTTP-date (RFC 9110 §10.2.3).
 *  - When the server named a delay, the retry waits at least that long (never earlier) plus a
 *    small jitter (≤ 10 % of it, ≤ 1 s) so N paused requests do not hit the server in one instant.
 *  - Without one, full jitter: a uniform delay in [0, min(maxDelayMs, baseDelayMs · 2^attempt)]
 *    (attempt counts from 0), as in AWS's "Exponential Backoff And Jitter".
 */

export interface RetryPolicy {
  /** retries after timeouts, 5xx, resets and unreachable servers (not counting the first try) */
  maxRetries: number
  /** retries after 429/503 (these are expected under load, so the budget is larger) */
  maxRateLimitRetries: number
  baseDelayMs: number
  maxDelayMs: number
  /** a server asking for a longer wait than this stops the job (resume later) */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 3,
  maxRateLimitRetries: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000
}

interface HeaderBag {
  get(name: string): string | null
}

/** The delay a response asks for, in ms (≥ 0), or null when it names none or an unreadable one. */
export function parseRetryAfter(headers: HeaderBag, now: number = Date.now()): number | null {
  const ms = headers.get('retry-after-ms')?.trim()
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.max(0, Math.ceil(Number(ms)))
  const v = headers.get('retry-after')?.trim()
  if (!v) return null
  if (/^\d+(\.\d+)?$/.test(v)) return Math.max(0, Math.ceil(Number(v) * 1000))
  const at = Date.parse(v)
  if (Number.isNaN(at)) return null
  return Math.max(0, at - now)
}

/** Full-jitter backoff for retry number `attempt` (0-based). */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * cap)
}

/** The wait before a retry: the server's Retry-After (never less) plus a little jitter, or backoff. */
export function retryDelay(
  retryAfterMs: number | null | undefined,
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random
): number {
  if (retryAfterMs !== null && retryAfterMs !== undefined) {
    return retryAfterMs + Math.floor(random() * Math.min(1000, retryAfterMs * 0.1))
  }
  return backoffDelay(attempt, policy, random)
}

/** setTimeout as a promise that rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(signal!.reason)
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
