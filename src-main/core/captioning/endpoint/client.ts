/**
 * An OpenAI-compatible chat-completions client on Node's built-in fetch (undici), no SDK: the
 * protocol surface Glossa needs is two calls, and owning them lets every failure become a stable
 * kind with a sentence (errors.ts) and keeps the key out of everything that can be printed.
 *
 *  - `listModels`: GET {base}/models → the ids the server serves (`data[].id`; llama-server's
 *    `models[]` too).
 *  - `chatCaption`: POST {base}/chat/completions with one user message whose content is
 *    `[{type:'text', text: prompt}, {type:'image_url', image_url:{url:'data:image/jpeg;base64,…'}}]`,
 *    plus `model`, `temperature`, `seed`, the token limit under `max_tokens` or
 *    `max_completion_tokens` (the definition decides), and with `stream: true` also
 *    `stream_options: {include_usage: true}`; the answer's text (a leading `<think>…</think>`
 *    block of a reasoning model removed), finish reason and usage come back.
 *    Streaming parses server-sent events (`data:` lines, multi-line data joined with \n, `:`
 *    comments as keep-alives, `[DONE]`); a server that ignores `stream` and answers JSON is read
 *    as JSON.
 *  - Timeouts, per attempt: `timeoutMs` bounds the whole attempt (connect, queueing, generation,
 *    body); with streaming, `idleTimeoutMs` also bounds the wait for the headers and the silence
 *    between chunks. Connecting is bounded by undici's own connect timeout (10 s). Node's fetch
 *    drops a response whose headers take over 300 s, hence the schema's cap on timeoutMs.
 *  - The caller's AbortSignal cancels the request (kind 'cancelled').
 * No retries here: one call is one attempt; captioner.ts retries and paces (pool.ts).
 */
import { ApiKey, EndpointError, resolveApiKey, serverText } from './errors'
import { toDataUrl } from './image'
import { parseRetryAfter } from './retry'
import { hostOf, type EndpointDefinition } from './schema'

/** A definition plus its key, held in memory for the length of a job or a test call. */
export interface Endpoint {
  readonly def: EndpointDefinition
  readonly apiKey: ApiKey | null
}

/** Pairs a definition with its key from `keyEnv` (a config error when that variable is unset). */
export function openEndpoint(
  def: EndpointDefinition,
  env: Record<string, string | undefined> = process.env
): Endpoint {
  return { def, apiKey: resolveApiKey(def, env) }
}

export interface RemoteModel {
  id: string
  ownedBy: string | null
}

export interface ChatCaptionRequest {
  prompt: string
  image: { bytes: Uint8Array; mime: string }
  temperature?: number
  seed?: number
  maxTokens?: number
  /** default: the definition's `stream` */
  stream?: boolean
  signal?: AbortSignal
}

export interface ChatUsage {
  promptTokens: number | null
  completionTokens: number | null
  totalTokens: number | null
}

export interface ChatCaptionResult {
  text: string
  /** 'stop', 'length', … as the server reported it */
  finishReason: string | null
  usage: ChatUsage | null
  /** the model name the server reported */
  model: string | null
  /** non-fatal remarks, e.g. the caption was cut at the token limit */
  warnings: string[]
}

const USER_AGENT = 'Glossa (OpenAI-compatible endpoint captioner)'
/** error bodies are read up to this many characters */
const ERROR_BODY_MAX = 64 * 1024

// ---------------------------------------------------------------------------------------------
// Request plumbing

type TimeoutWhich = 'total' | 'idle'

/** One attempt's abort controller: the caller's signal, a total deadline and an idle deadline. */
class AttemptTimer {
  readonly controller = new AbortController()
  which: TimeoutWhich | null = null
  private readonly totalTimer: NodeJS.Timeout
  private idleTimer: NodeJS.Timeout | null = null
  private readonly onOuter: (() => void) | null = null

  constructor(
    private readonly outer: AbortSignal | undefined,
    readonly totalMs: number,
    readonly idleMs: number | null
  ) {
    this.totalTimer = setTimeout(() => this.fire('total'), totalMs)
    if (outer) {
      if (outer.aborted) this.controller.abort(outer.reason)
      else {
        this.onOuter = () => this.controller.abort(outer.reason)
        outer.addEventListener('abort', this.onOuter, { once: true })
      }
    }
    this.touch()
  }

  get cancelled(): boolean {
    return this.outer?.aborted === true
  }

  /** Restarts the idle deadline (something arrived). */
  touch(): void {
    if (this.idleMs === null) return
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this.fire('idle'), this.idleMs)
  }

  private fire(which: TimeoutWhich): void {
    if (this.controller.signal.aborted) return
    this.which = which
    this.controller.abort(new Error(`${which} timeout`))
  }

  dispose(): void {
    clearTimeout(this.totalTimer)
    if (this.idleTimer) clearTimeout(this.idleTimer)
    if (this.onOuter) this.outer?.removeEventListener('abort', this.onOuter)
  }
}

interface Ctx {
  endpoint: Endpoint
  /** what was asked, for sentences: 'GET /models' */
  what: string
  url: string
  timer: AttemptTimer
}

function prefix(ctx: Ctx): string {
  return `endpoint "${ctx.endpoint.def.name}" (${hostOf(ctx.endpoint.def.url)})`
}

function mkErr(
  ctx: Ctx,
  kind: ConstructorParameters<typeof EndpointError>[0],
  sentence: string,
  extra: Omit<ConstructorParameters<typeof EndpointError>[2], 'endpoint'> = {}
): EndpointError {
  return new EndpointError(kind, `${prefix(ctx)}: ${sentence}`, {
    endpoint: ctx.endpoint.def.name,
    ...extra
  })
}

function headersFor(endpoint: Endpoint, json: boolean, stream: boolean): Record<string, string> {
  const h: Record<string, string> = {
    ...(endpoint.def.headers ?? {}),
    accept: stream ? 'text/event-stream' : 'application/json',
    'user-agent': USER_AGENT
  }
  if (json) h['content-type'] = 'application/json'
  if (endpoint.apiKey) {
    const key = endpoint.apiKey.reveal()
    if (endpoint.def.keyHeader === 'authorization') h.authorization = `Bearer ${key}`
    else h[endpoint.def.keyHeader] = key
  }
  return h
}

/** The first error code along an error's cause chain (undici wraps socket errors in "fetch failed"). */
function networkCode(err: unknown): string | null {
  let e: unknown = err
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; errors?: unknown[]; cause?: unknown }
    if (typeof o.code === 'string' && o.code !== 'ABORT_ERR') return o.code
    if (Array.isArray(o.errors) && o.errors.length > 0) {
      const c = networkCode(o.errors[0])
      if (c) return c
    }
    e = o.cause
  }
  return null
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'EADDRNOTAVAIL'
])
const TLS_CODE_RE = /CERT|SELF_SIGNED|TLS|SSL|ERR_SSL/

/** Any error thrown while sending or reading → an EndpointError (never keeps the cause object). */
function classifyThrown(ctx: Ctx, err: unknown): EndpointError {
  if (err instanceof EndpointError) return err
  if (ctx.timer.cancelled) return mkErr(ctx, 'cancelled', 'the request was cancelled')
  if (ctx.timer.which === 'total')
    return mkErr(
      ctx,
      'timeout',
      `no complete answer within ${seconds(ctx.timer.totalMs)} (the endpoint's timeout)`
    )
  if (ctx.timer.which === 'idle')
    return mkErr(
      ctx,
      'timeout',
      `the server sent nothing for ${seconds(ctx.timer.idleMs ?? 0)} (the endpoint's idle timeout)`
    )
  const code = networkCode(err)
  const host = hostOf(ctx.endpoint.def.url)
  const cause = code ?? undefined
  switch (code) {
    case 'ECONNREFUSED':
      return mkErr(
        ctx,
        'unreachable',
        `nothing is listening at ${host} (connection refused); is the server running?`,
        { cause }
      )
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
      return mkErr(ctx, 'unreachable', `the host name in ${host} does not resolve (${code})`, {
        cause
      })
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return mkErr(ctx, 'timeout', `the server stopped answering (${code})`, { cause })
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return mkErr(ctx, 'server', `the connection was closed before the answer was complete`, {
        cause
      })
  }
  if (code && UNREACHABLE_CODES.has(code))
    return mkErr(ctx, 'unreachable', `cannot connect to ${host} (${code})`, { cause })
  if (code && TLS_CODE_RE.test(code))
    return mkErr(
      ctx,
      'config',
      `the TLS certificate of ${host} was refused (${code}); check the URL or the server's certificate`,
      { cause }
    )
  const msg = err instanceof Error ? err.message : String(err)
  return mkErr(
    ctx,
    'server',
    `the request failed: ${serverText(msg, ctx.endpoint.apiKey, 200)}${code ? ` (${code})` : ''}`,
    { cause }
  )
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}

/** The server's own error text from a JSON (OpenAI, vLLM, Ollama, FastAPI) or plain body. */
function serverMessageOf(body: string): { text: string; code: string | null } {
  let j: unknown
  try {
    j = JSON.parse(body)
  } catch {
    return { text: body, code: null }
  }
  if (j && typeof j === 'object') {
    const o = j as Record<string, unknown>
    const e = o.error
    if (typeof e === 'string') return { text: e, code: null }
    if (e && typeof e === 'object') {
      const eo = e as Record<string, unknown>
      const code =
        typeof eo.code === 'string' ? eo.code : typeof eo.type === 'string' ? eo.type : null
      if (typeof eo.message === 'string') return { text: eo.message, code }
    }
    if (typeof o.message === 'string') return { text: o.message, code: null }
    if (typeof o.detail === 'string') return { text: o.detail, code: null }
    if (Array.isArray(o.detail))
      return {
        text: o.detail
          .map((d) => (d && typeof d === 'object' && 'msg' in d ? String(d.msg) : String(d)))
          .join('; '),
        code: null
      }
  }
  return { text: body, code: null }
}

const IMAGE_UNSUPPORTED_RE =
  /image input is not supported|not a multimodal model|does not support (image|vision|multimodal)|mmproj|(image|vision).{0,40}not supported|unsupported content type.{0,20}image/i
const MAX_COMPLETION_RE = /max_completion_tokens/i
const MODEL_MISSING_RE = /model.{0,120}(does not exist|not found|is not (available|served|loaded))/i
const CONTEXT_RE =
  /context (length|size|window)|maximum model length|exceeds? the (available )?context|prompt (is )?too long|n_ctx/i
const QUOTA_RE = /insufficient_quota|quota|billing|credit|payment required/i

/** A non-2xx answer → an EndpointError (see the table in errors.ts). */
function httpError(ctx: Ctx, status: number, headers: Headers, body: string): EndpointError {
  const key = ctx.endpoint.apiKey
  const { text, code } = serverMessageOf(body)
  const srv = serverText(text, key)
  const said = srv ? `: ${srv}` : ''
  const base = { status, serverMessage: srv || undefined }
  const keyEnv = ctx.endpoint.def.keyEnv
  const model = ctx.endpoint.def.model
  if (status === 401 || status === 403) {
    const from = keyEnv
      ? `the API key from the environment variable ${keyEnv}`
      : "the API key kept in the system keychain (the Models page's key field)"
    const sentence = key
      ? status === 401
        ? `the server refused ${from} (HTTP 401); check the key it holds`
        : `the server refused access with ${from} (HTTP 403)${said}`
      : `the server requires an API key (HTTP ${status}); put it in an environment variable and name it with --key-env`
    return mkErr(ctx, 'auth', sentence, base)
  }
  if (status === 402)
    return mkErr(
      ctx,
      'quota',
      `the account behind the API key cannot pay for requests (HTTP 402)${said}`,
      base
    )
  if (status === 429 && (code === 'insufficient_quota' || QUOTA_RE.test(text)))
    return mkErr(
      ctx,
      'quota',
      `the account behind the API key has no quota left (HTTP 429)${said}`,
      base
    )
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(headers) ?? undefined
    const wait = retryAfterMs !== undefined ? `; it asks to wait ${seconds(retryAfterMs)}` : ''
    const sentence =
      status === 429
        ? `the server is rate limiting requests (HTTP 429)${wait}`
        : `the server is busy or still loading the model (HTTP 503)${wait}`
    return mkErr(ctx, 'rate-limited', sentence, { ...base, retryAfterMs })
  }
  if (status === 404) {
    if (ctx.what.startsWith('POST') && MODEL_MISSING_RE.test(text))
      return mkErr(
        ctx,
        'not-found',
        `the server does not serve the model "${model}" (HTTP 404)${said}; "test connection" lists the models it serves`,
        base
      )
    return mkErr(
      ctx,
      'not-found',
      `${ctx.what.split(' ')[1]} answered 404 Not Found at ${ctx.url}; check the base URL (it usually ends with /v1)${said}`,
      base
    )
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 425) {
    if (IMAGE_UNSUPPORTED_RE.test(text))
      return mkErr(
        ctx,
        'config',
        `the model "${model}" does not accept images (HTTP ${status})${said}; serve a vision model (llama-server also needs --mmproj)`,
        base
      )
    if (MAX_COMPLETION_RE.test(text) && /max_tokens/i.test(text))
      return mkErr(
        ctx,
        'config',
        `the server refuses max_tokens and wants max_completion_tokens (HTTP ${status}); set the endpoint's maxTokensField to max_completion_tokens`,
        base
      )
    if (MODEL_MISSING_RE.test(text))
      return mkErr(
        ctx,
        'not-found',
        `the server does not serve the model "${model}" (HTTP ${status})${said}`,
        base
      )
    if (CONTEXT_RE.test(text))
      return mkErr(
        ctx,
        'bad-request',
        `the image and prompt do not fit the model's context (HTTP ${status})${said}; lower the endpoint's max side or give the server a longer context`,
        base
      )
    if (status === 413)
      return mkErr(
        ctx,
        'bad-request',
        `the image is too large for the server (HTTP 413); lower the endpoint's max side${said}`,
        base
      )
    return mkErr(
      ctx,
      'bad-request',
      `the server rejected the request for this image (HTTP ${status})${said}`,
      base
    )
  }
  if (status === 408)
    return mkErr(ctx, 'timeout', `the server gave up waiting (HTTP 408)${said}`, base)
  const retryAfterMs = parseRetryAfter(headers) ?? undefined
  return mkErr(ctx, 'server', `the server failed (HTTP ${status})${said}`, {
    ...base,
    retryAfterMs
  })
}

function redirectError(ctx: Ctx, status: number, location: string | null): EndpointError {
  let where = ''
  try {
    if (location) {
      const u = new URL(location, ctx.url)
      where = ` to ${u.origin}${u.pathname}`
    }
  } catch {
    // unreadable Location: leave it out
  }
  return mkErr(
    ctx,
    'config',
    `the server redirects ${ctx.what.split(' ')[1]} (HTTP ${status})${where}; Glossa does not follow redirects (they could carry the key elsewhere): use the final address as the base URL`,
    { status }
  )
}

async function readCapped(res: Response, max: number): Promise<string> {
  try {
    const t = await res.text()
    return t.length > max ? t.slice(0, max) : t
  } catch {
    return ''
  }
}

/** Sends one request; `handle` reads a 2xx answer. Everything thrown is an EndpointError. */
async function send<T>(
  endpoint: Endpoint,
  method: 'GET' | 'POST',
  path: string,
  opts: {
    body?: Buffer
    stream: boolean
    signal: AbortSignal | undefined
    timeoutMs: number
    idleMs: number | null
  },
  handle: (res: Response, ctx: Ctx) => Promise<T>
): Promise<T> {
  const url = `${endpoint.def.url}${path}`
  const timer = new AttemptTimer(opts.signal, opts.timeoutMs, opts.idleMs)
  const ctx: Ctx = { endpoint, what: `${method} ${path}`, url, timer }
  try {
    if (timer.controller.signal.aborted) throw mkErr(ctx, 'cancelled', 'the request was cancelled')
    const res = await fetch(url, {
      method,
      headers: headersFor(endpoint, opts.body !== undefined, opts.stream),
      body: opts.body,
      signal: timer.controller.signal,
      // never follow: a redirect could carry the key to another host; say where it points instead
      redirect: 'manual'
    })
    timer.touch()
    if (res.status >= 300 && res.status < 400) {
      await readCapped(res, ERROR_BODY_MAX)
      throw redirectError(ctx, res.status, res.headers.get('location'))
    }
    if (!res.ok) {
      const body = await readCapped(res, ERROR_BODY_MAX)
      throw httpError(ctx, res.status, res.headers, body)
    }
    return await handle(res, ctx)
  } catch (err) {
    throw classifyThrown(ctx, err)
  } finally {
    timer.dispose()
  }
}

// ---------------------------------------------------------------------------------------------
// /models

/** GET {base}/models: the model ids the server serves. */
export async function listModels(
  endpoint: Endpoint,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {}
): Promise<RemoteModel[]> {
  return send(
    endpoint,
    'GET',
    '/models',
    {
      stream: false,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? Math.min(endpoint.def.timeoutMs, 15_000),
      idleMs: null
    },
    async (res, ctx) => {
      const text = await res.text()
      const j = parseJsonAnswer(ctx, text)
      const o = (j ?? {}) as { data?: unknown; models?: unknown }
      const list = Array.isArray(o.data) ? o.data : Array.isArray(o.models) ? o.models : null
      if (!list)
        throw mkErr(
          ctx,
          'bad-response',
          `the answer to GET /models has no model list (no "data" array)`
        )
      const out: RemoteModel[] = []
      for (const m of list) {
        if (!m || typeof m !== 'object') continue
        const r = m as { id?: unknown; name?: unknown; model?: unknown; owned_by?: unknown }
        const id =
          typeof r.id === 'string'
            ? r.id
            : typeof r.model === 'string'
              ? r.model
              : typeof r.name === 'string'
                ? r.name
                : null
        if (id && !out.some((x) => x.id === id))
          out.push({ id, ownedBy: typeof r.owned_by === 'string' ? r.owned_by : null })
      }
      return out
    }
  )
}

export interface ConnectionReport {
  ok: boolean
  /** ids the server lists */
  models: string[]
  /** whether the endpoint's model is among them (null when the list could not be read) */
  modelServed: boolean | null
  /** one sentence for the UI / CLI */
  message: string
  error: EndpointError | null
}

/** "Test connection": lists the server's models and explains the outcome in words. */
export async function testConnection(
  endpoint: Endpoint,
  opts: { signal?: AbortSignal; timeoutMs?: number } = {}
): Promise<ConnectionReport> {
  const { def } = endpoint
  try {
    const models = (await listModels(endpoint, opts)).map((m) => m.id)
    const served = models.includes(def.model)
    const shown = models.slice(0, 10).join(', ') + (models.length > 10 ? ', …' : '')
    const message =
      models.length === 0
        ? `connected to ${hostOf(def.url)}, but it lists no models`
        : served
          ? `connected to ${hostOf(def.url)}; it serves "${def.model}"`
          : `connected to ${hostOf(def.url)}, but "${def.model}" is not among the models it serves: ${shown}`
    return { ok: served || models.length === 0, models, modelServed: served, message, error: null }
  } catch (err) {
    const e =
      err instanceof EndpointError
        ? err
        : new EndpointError('server', String(err), { endpoint: def.name })
    return { ok: false, models: [], modelServed: null, message: e.message, error: e }
  }
}

// ---------------------------------------------------------------------------------------------
// /chat/completions

/** Stands for the image's data: URL in the JSON until `chatBodyBytes` writes it in. */
const IMAGE_SLOT = '\u0000glossa:image\u0000'

/** The JSON body of a chat-completions request (exported for tests and for logging its shape). */
export function buildChatBody(
  def: EndpointDefinition,
  req: Omit<ChatCaptionRequest, 'signal'>
): Record<string, unknown> {
  return chatBodyWith(def, req, toDataUrl(req.image))
}

/**
 * The request body as UTF-8 JSON bytes. The image's base64 (hundreds of KB) is written straight
 * into the buffer around the JSON of the small rest, rather than passed through JSON.stringify and
 * a string body: base64 and the data: prefix need no escaping, and a string body would be scanned
 * for lone surrogates and re-encoded by fetch, all on the event loop.
 */
export function chatBodyBytes(
  def: EndpointDefinition,
  req: Omit<ChatCaptionRequest, 'signal'>
): Buffer {
  if (!/^image\/[a-z0-9.+-]+$/.test(req.image.mime))
    throw new TypeError(`not an image MIME type: ${req.image.mime}`)
  const json = JSON.stringify(chatBodyWith(def, req, IMAGE_SLOT))
  const slot = JSON.stringify(IMAGE_SLOT)
  const at = json.lastIndexOf(slot) // the image part comes after the prompt
  const head = `${json.slice(0, at)}"data:${req.image.mime};base64,`
  const tail = `"${json.slice(at + slot.length)}`
  const bytes = Buffer.isBuffer(req.image.bytes)
    ? req.image.bytes
    : Buffer.from(req.image.bytes.buffer, req.image.bytes.byteOffset, req.image.bytes.byteLength)
  const b64 = bytes.toString('base64')
  const headLen = Buffer.byteLength(head, 'utf8')
  const out = Buffer.allocUnsafe(headLen + b64.length + Buffer.byteLength(tail, 'utf8'))
  out.write(head, 0, 'utf8')
  out.write(b64, headLen, 'latin1')
  out.write(tail, headLen + b64.length, 'utf8')
  return out
}

function chatBodyWith(
  def: EndpointDefinition,
  req: Omit<ChatCaptionRequest, 'signal'>,
  url: string
): Record<string, unknown> {
  const stream = req.stream ?? def.stream
  const body: Record<string, unknown> = {
    model: def.model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: req.prompt },
          { type: 'image_url', image_url: { url } }
        ]
      }
    ]
  }
  if (req.temperature !== undefined) body.temperature = req.temperature
  if (req.seed !== undefined) body.seed = req.seed
  if (req.maxTokens !== undefined) body[def.maxTokensField] = req.maxTokens
  if (stream) {
    body.stream = true
    body.stream_options = { include_usage: true }
  }
  return body
}

function parseJsonAnswer(ctx: Ctx, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const start = text.trimStart().slice(0, 60)
    const page = /^<(!doctype|html)/i.test(start)
    throw mkErr(
      ctx,
      'bad-response',
      page
        ? `the server answered ${ctx.what.split(' ')[1]} with a web page, not the API; check the base URL`
        : `the server's answer is not valid JSON (it starts with ${JSON.stringify(serverText(start, ctx.endpoint.apiKey, 40))})`
    )
  }
}

/** Text of a message's content: a string, or an array of parts whose text parts are joined. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content
      .map((p) =>
        typeof p === 'string'
          ? p
          : p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
            ? (p as { text: string }).text
            : ''
      )
      .join('')
  return ''
}

/** Drops a reasoning model's leading <think>…</think> block (llama.cpp, Ollama may inline it). */
export function stripThinking(text: string): string {
  return text.replace(/^\s*<think>[\s\S]*?<\/think>/, '').trim()
}

function usageOf(u: unknown): ChatUsage | null {
  if (!u || typeof u !== 'object') return null
  const o = u as Record<string, unknown>
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  return {
    promptTokens: n(o.prompt_tokens),
    completionTokens: n(o.completion_tokens),
    totalTokens: n(o.total_tokens)
  }
}

/** An `error` object inside a 200 answer or a stream chunk → an EndpointError. */
function embeddedError(ctx: Ctx, e: unknown): EndpointError {
  const o = (e && typeof e === 'object' ? e : { message: String(e) }) as Record<string, unknown>
  const status =
    typeof o.code === 'number' && o.code >= 400 && o.code < 600
      ? o.code
      : typeof o.status === 'number' && o.status >= 400 && o.status < 600
        ? o.status
        : 500
  return httpError(ctx, status, new Headers(), JSON.stringify({ error: o }))
}

function finish(
  ctx: Ctx,
  raw: string,
  finishReason: string | null,
  usage: ChatUsage | null,
  model: string | null,
  maxTokens: number | undefined,
  hadReasoning: boolean
): ChatCaptionResult {
  const text = stripThinking(raw)
  if (!text) {
    if (finishReason === 'content_filter')
      throw mkErr(ctx, 'bad-response', 'the server withheld the answer (content filter)')
    if (finishReason === 'length')
      throw mkErr(
        ctx,
        'bad-response',
        `the model reached the token limit${maxTokens ? ` (${maxTokens})` : ''} before writing a caption${hadReasoning ? ' (it spent the tokens reasoning)' : ''}; raise max tokens`
      )
    throw mkErr(ctx, 'bad-response', 'the model returned an empty caption')
  }
  const warnings: string[] = []
  if (finishReason === 'length')
    warnings.push(
      `the caption was cut off at the token limit${maxTokens ? ` (${maxTokens} tokens)` : ''}`
    )
  return { text, finishReason, usage, model, warnings }
}

function readCompletion(ctx: Ctx, j: unknown, maxTokens: number | undefined): ChatCaptionResult {
  if (!j || typeof j !== 'object' || Array.isArray(j))
    throw mkErr(
      ctx,
      'bad-response',
      'the server answered with JSON that is not a completion object'
    )
  const o = j as Record<string, unknown>
  if (o.error) throw embeddedError(ctx, o.error)
  const choices = o.choices
  if (!Array.isArray(choices) || choices.length === 0)
    throw mkErr(ctx, 'bad-response', 'the server answered with no choices (an empty completion)')
  const c = (choices[0] ?? {}) as Record<string, unknown>
  const message = (c.message ?? {}) as Record<string, unknown>
  const reasoning = contentText(message.reasoning_content ?? message.reasoning)
  return finish(
    ctx,
    contentText(message.content),
    typeof c.finish_reason === 'string' ? c.finish_reason : null,
    usageOf(o.usage),
    typeof o.model === 'string' ? o.model : null,
    maxTokens,
    reasoning.length > 0
  )
}

/** Server-sent events: yields each event's data (multi-line data joined with \n). */
async function* sseData(
  body: ReadableStream<Uint8Array>,
  onBytes: () => void
): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buf = ''
  let data: string[] = []
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      onBytes()
      buf += decoder.decode(value, { stream: true })
      let nl: number
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1))
        if (line === '') {
          if (data.length) yield data.join('\n')
          data = []
        } else if (line.startsWith(':')) {
          // comment / keep-alive
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line[5] === ' ' ? 6 : 5))
        }
      }
    }
    buf += decoder.decode()
    if (buf.startsWith('data:')) data.push(buf.slice(buf[5] === ' ' ? 6 : 5))
    if (data.length) yield data.join('\n')
  } finally {
    reader.cancel().catch(() => undefined)
  }
}

async function readStream(
  ctx: Ctx,
  res: Response,
  maxTokens: number | undefined
): Promise<ChatCaptionResult> {
  if (!res.body) throw mkErr(ctx, 'bad-response', 'the server sent an empty stream')
  let text = ''
  let reasoning = false
  let finishReason: string | null = null
  let usage: ChatUsage | null = null
  let model: string | null = null
  let sawDone = false
  let events = 0
  for await (const data of sseData(res.body, () => ctx.timer.touch())) {
    if (data.trim() === '[DONE]') {
      sawDone = true
      break
    }
    events++
    let j: unknown
    try {
      j = JSON.parse(data)
    } catch {
      throw mkErr(
        ctx,
        'bad-response',
        `a streamed chunk is not valid JSON (${JSON.stringify(serverText(data, ctx.endpoint.apiKey, 40))})`
      )
    }
    if (!j || typeof j !== 'object') continue
    const o = j as Record<string, unknown>
    if (o.error) throw embeddedError(ctx, o.error)
    if (typeof o.model === 'string') model = o.model
    if (o.usage) usage = usageOf(o.usage) ?? usage
    const choices = Array.isArray(o.choices) ? o.choices : []
    const c = (choices[0] ?? null) as Record<string, unknown> | null
    if (!c) continue
    const delta = (c.delta ?? c.message ?? {}) as Record<string, unknown>
    text += contentText(delta.content)
    if (contentText(delta.reasoning_content ?? delta.reasoning)) reasoning = true
    if (typeof c.finish_reason === 'string') finishReason = c.finish_reason
  }
  if (!sawDone && finishReason === null)
    throw mkErr(
      ctx,
      'server',
      events === 0
        ? 'the stream ended without any answer'
        : 'the stream ended before the answer was complete'
    )
  return finish(ctx, text, finishReason, usage, model, maxTokens, reasoning)
}

/**
 * One chat-completions attempt for one image. Throws an EndpointError of a stable kind; never
 * retries (see captioner.ts).
 */
export async function chatCaption(
  endpoint: Endpoint,
  req: ChatCaptionRequest
): Promise<ChatCaptionResult> {
  const { def } = endpoint
  const stream = req.stream ?? def.stream
  const body = chatBodyBytes(def, { ...req, stream })
  return send(
    endpoint,
    'POST',
    '/chat/completions',
    {
      body,
      stream,
      signal: req.signal,
      timeoutMs: def.timeoutMs,
      idleMs: stream ? def.idleTimeoutMs : null
    },
    async (res, ctx) => {
      const type = res.headers.get('content-type') ?? ''
      if (stream && /text\/event-stream/i.test(type)) return readStream(ctx, res, req.maxTokens)
      const text = await res.text()
      return readCompletion(ctx, parseJsonAnswer(ctx, text), req.maxTokens)
    }
  )
}
