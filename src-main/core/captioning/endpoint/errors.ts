/**
 * Endpoint errors: stable kinds, a human sentence each, and what the caption job does with them.
 *
 * | kind         | when                                                     | retried              | after retries  |
 * |--------------|----------------------------------------------------------|----------------------|----------------|
 * | config       | key variable unset, model takes no images, bad TLS cert, | no                   | job stops      |
 * |              | the server wants max_completion_tokens                   |                      |                |
 * | auth         | 401, 403                                                 | no                   | job stops      |
 * | quota        | 402, 429 with `insufficient_quota`                       | no                   | job stops      |
 * | not-found    | 404 (wrong base URL, model not served)                   | no                   | job stops      |
 * | unreachable  | connection refused, DNS failure, connect timeout         | yes (maxRetries)     | job stops      |
 * | rate-limited | 429, 503 (overloaded, model loading)                     | yes, whole pool waits| job stops      |
 * |              |                                                          | (maxRateLimitRetries)| (resumable)    |
 * | timeout      | the attempt's time budget or the stream's idle limit     | yes (maxRetries)     | image fails    |
 * | server       | 5xx, 408/409/425, connection reset, stream cut short     | yes (maxRetries)     | image fails    |
 * | bad-request  | other 4xx: image too large (413), context too long, …    | no                   | image fails    |
 * | bad-response | not JSON, no choices, empty caption, content filter      | no                   | image fails    |
 * | image        | the image cannot be read or re-encoded                   | no                   | image fails    |
 * | cancelled    | the job (or caller) aborted                              | no                   | job stops,     |
 * |              |                                                          |                      | work kept      |
 * "job stops" errors leave the remaining images pending: fix the cause and resume.
 * A run of `maxConsecutiveFailures` image failures in a row (timeouts, 5xx, bad answers) also stops
 * the job (captioner.ts): a server failing every image is the job's problem, not each image's.
 *
 * Secrets: the key is only ever held in an `ApiKey` (whose toString/toJSON/inspect print
 * `[redacted]`); errors never keep the request, its headers or the underlying cause object, and
 * every server-supplied text passes through `redact`, so an error's message, details, stack and
 * JSON never contain the key even when a server echoes it back.
 */
import { GlossaError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/schemas'

export const ENDPOINT_ERROR_KINDS = [
  'config',
  'auth',
  'quota',
  'not-found',
  'unreachable',
  'rate-limited',
  'timeout',
  'server',
  'bad-request',
  'bad-response',
  'image',
  'cancelled'
] as const
export type EndpointErrorKind = (typeof ENDPOINT_ERROR_KINDS)[number]

interface KindTraits {
  code: ErrorCode
  retryable: boolean
  /** true: the whole job stops (once retries, if any, are exhausted); false: this image fails */
  fatal: boolean
}

export const KIND_TRAITS: Readonly<Record<EndpointErrorKind, KindTraits>> = {
  config: { code: 'INVALID_ARGS', retryable: false, fatal: true },
  auth: { code: 'FORBIDDEN', retryable: false, fatal: true },
  quota: { code: 'FORBIDDEN', retryable: false, fatal: true },
  'not-found': { code: 'NOT_FOUND', retryable: false, fatal: true },
  unreachable: { code: 'IO_ERROR', retryable: true, fatal: true },
  'rate-limited': { code: 'IO_ERROR', retryable: true, fatal: true },
  timeout: { code: 'IO_ERROR', retryable: true, fatal: false },
  server: { code: 'IO_ERROR', retryable: true, fatal: false },
  'bad-request': { code: 'INVALID_ARGS', retryable: false, fatal: false },
  'bad-response': { code: 'IO_ERROR', retryable: false, fatal: false },
  image: { code: 'IO_ERROR', retryable: false, fatal: false },
  cancelled: { code: 'CANCELLED', retryable: false, fatal: true }
}

export interface EndpointErrorDetails {
  kind: EndpointErrorKind
  /** the endpoint's name */
  endpoint: string
  /** HTTP status, when the server answered */
  status?: number
  /** what the server asked us to wait (Retry-After / retry-after-ms), in ms */
  retryAfterMs?: number
  /** the server's own error text, redacted and shortened */
  serverMessage?: string
  /** a network error code (ECONNREFUSED, UND_ERR_SOCKET, …) */
  cause?: string
  /** attempts made for this request, when retries were involved */
  attempts?: number
}

export interface EndpointErrorInit {
  endpoint: string
  status?: number
  retryAfterMs?: number
  serverMessage?: string
  cause?: string
  retryable?: boolean
  fatal?: boolean
}

/** An endpoint failure; `message` is a sentence fit for the job log and the UI. */
export class EndpointError extends GlossaError {
  readonly kind: EndpointErrorKind
  readonly retryable: boolean
  readonly fatal: boolean
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  declare readonly details: EndpointErrorDetails
  constructor(kind: EndpointErrorKind, message: string, init: EndpointErrorInit) {
    const details: EndpointErrorDetails = { kind, endpoint: init.endpoint }
    if (init.status !== undefined) details.status = init.status
    if (init.retryAfterMs !== undefined) details.retryAfterMs = init.retryAfterMs
    if (init.serverMessage) details.serverMessage = init.serverMessage
    if (init.cause) details.cause = init.cause
    super(KIND_TRAITS[kind].code, message, details)
    this.name = 'EndpointError'
    this.kind = kind
    this.retryable = init.retryable ?? KIND_TRAITS[kind].retryable
    this.fatal = init.fatal ?? KIND_TRAITS[kind].fatal
    this.status = init.status
    this.retryAfterMs = init.retryAfterMs
  }

  /** The same error, now job-fatal (retries exhausted, or too many failures in a row). */
  escalate(message: string, attempts?: number): EndpointError {
    const e = new EndpointError(this.kind, message, {
      ...this.details,
      retryable: false,
      fatal: true
    })
    if (attempts !== undefined) e.details.attempts = attempts
    return e
  }

  /** A copy that records how many attempts were made. */
  withAttempts(attempts: number): EndpointError {
    const e = new EndpointError(this.kind, this.message, {
      ...this.details,
      retryable: this.retryable,
      fatal: this.fatal
    })
    e.details.attempts = attempts
    return e
  }
}

export function isEndpointError(e: unknown): e is EndpointError {
  return e instanceof EndpointError
}

const REDACTED = '[redacted]'
const inspectCustom = Symbol.for('nodejs.util.inspect.custom')

/**
 * An API key held in memory only. The value sits in a private field and is read with `reveal()`
 * at the one place a request header is built; printing, logging or serialising the object shows
 * `[redacted]`.
 */
export class ApiKey {
  readonly #value: string
  constructor(value: string) {
    const v = value.trim()
    if (!v) throw new TypeError('an API key cannot be empty')
    this.#value = v
  }
  reveal(): string {
    return this.#value
  }
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [inspectCustom](): string {
    return `ApiKey(${REDACTED})`
  }
}

/**
 * Removes a key from text a server sent or an error produced: every occurrence of the key, any
 * long fragment of it (servers echo `sk-abc…xyz`-style partial keys), and anything after
 * `Bearer `.
 */
export function redact(text: string, key: ApiKey | null | undefined): string {
  let out = text.replace(/(bearer\s+)\S+/gi, `$1${REDACTED}`)
  const k = key?.reveal()
  if (k) {
    out = out.split(k).join(REDACTED)
    // fragments of 8+ characters (a server may print a prefix or a suffix of the key)
    if (k.length >= 12) {
      for (let len = Math.min(k.length - 1, 24); len >= 8; len--) {
        out = out.split(k.slice(0, len)).join(REDACTED).split(k.slice(-len)).join(REDACTED)
      }
    }
  }
  return out
}

/** A server message shortened for a sentence, with the key redacted. */
export function serverText(text: string, key: ApiKey | null | undefined, max = 300): string {
  const flat = redact(text, key)
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/**
 * The key named by a definition's `keyEnv`, from `env` (default: this process's environment).
 * null when the endpoint needs no key; a config error naming the variable when it is unset.
 */
export function resolveApiKey(
  def: { name: string; keyEnv?: string | undefined },
  env: Record<string, string | undefined> = process.env
): ApiKey | null {
  if (!def.keyEnv) return null
  const v = env[def.keyEnv]
  if (v === undefined || v.trim() === '')
    throw new EndpointError(
      'config',
      `endpoint "${def.name}" takes its API key from the environment variable ${def.keyEnv}, which is not set`,
      { endpoint: def.name }
    )
  return new ApiKey(v)
}
