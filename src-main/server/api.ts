/** `POST /api/<method>` and `GET /api/events` (server-sent events) for browser mode. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { EVENT_NAMES, METHOD_NAMES, type ApiError, type MethodName } from '../shared/api'
import { jsonErrorWhere, toApiError } from '../shared/errors'
import type { Core } from '../core'
import { isJsonContentType } from './auth'

/** Largest request body (the biggest argument, a million image ids, is about 8 MB of JSON). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024
/** A request body must arrive within this time (a slow sender cannot hold a request open). */
export const BODY_TIMEOUT_MS = 30_000
export const HEARTBEAT_MS = 15_000

const METHODS: ReadonlySet<string> = new Set(METHOD_NAMES)

export function statusForError(code: string): number {
  switch (code) {
    case 'INVALID_ARGS':
    case 'UNKNOWN_METHOD':
      return 400
    case 'FORBIDDEN':
      return 403
    case 'NOT_FOUND':
      return 404
    case 'TIMEOUT':
      return 408
    case 'CONFLICT':
    case 'DB_TOO_NEW':
    case 'CANCELLED':
    case 'READ_ONLY':
    case 'NOT_A_LIBRARY':
      return 409
    case 'TOO_LARGE':
      return 413
    case 'BUSY':
    case 'UNAVAILABLE':
    case 'LIBRARY_CORRUPT':
      return 503
    case 'DISK_FULL':
      return 507
    default:
      return 500
  }
}

/** The wire form of any error: a stable code, a bounded message and bounded JSON details. */
export function wireError(err: unknown): ApiError {
  return toApiError(err)
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {}
): void {
  const data = Buffer.from(JSON.stringify(body), 'utf8')
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(data.length),
    'cache-control': 'no-store',
    ...extra
  })
  res.end(data)
}

export function sendError(res: ServerResponse, status: number, error: ApiError): void {
  sendJson(res, status, { error })
}

class BodyTooLarge extends Error {}
class BodyTimeout extends Error {}

/** Reads the body up to `limit` bytes and within BODY_TIMEOUT_MS. */
function readBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs = BODY_TIMEOUT_MS
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const timer = setTimeout(() => {
      reject(new BodyTimeout())
      req.pause()
    }, timeoutMs)
    timer.unref()
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        clearTimeout(timer)
        reject(new BodyTooLarge())
        req.pause()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks))
    })
    req.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
  })
}

/** Answers, then closes the connection (the rest of a refused body is not read). */
function sendErrorAndClose(res: ServerResponse, status: number, error: ApiError): void {
  res.setHeader('connection', 'close')
  sendError(res, status, error)
  res.on('finish', () => res.socket?.destroy())
}

export async function handleApiCall(
  core: Core,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  log: (msg: string) => void,
  bodyTimeoutMs = BODY_TIMEOUT_MS
): Promise<void> {
  if (!isJsonContentType(req.headers['content-type'])) {
    sendError(res, 415, {
      code: 'INVALID_ARGS',
      message: 'POST /api/<method> needs Content-Type: application/json'
    })
    return
  }
  let body: Buffer
  try {
    body = await readBody(req, MAX_BODY_BYTES, bodyTimeoutMs)
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      sendErrorAndClose(res, 413, {
        code: 'TOO_LARGE',
        message: `${method}: the request body is over ${MAX_BODY_BYTES.toLocaleString('en')} bytes`
      })
    } else if (err instanceof BodyTimeout) {
      sendErrorAndClose(res, 408, {
        code: 'TIMEOUT',
        message: `${method}: the request body did not arrive within ${bodyTimeoutMs / 1000} s`
      })
    } else if (!res.headersSent) {
      sendError(res, 400, { code: 'INVALID_ARGS', message: 'could not read the request body' })
    }
    return
  }
  let args: unknown = {}
  if (body.length > 0) {
    try {
      args = JSON.parse(body.toString('utf8')) as unknown
    } catch (err) {
      const e = toApiError(err)
      sendError(
        res,
        e.code === 'TOO_LARGE' ? 413 : 400,
        e.code === 'TOO_LARGE'
          ? { code: 'TOO_LARGE', message: `${method}: the body is too large to read` }
          : {
              code: 'INVALID_ARGS',
              message: `${method}: the body is not valid JSON (${jsonErrorWhere(err)})`
            }
      )
      return
    }
  }
  if (!METHODS.has(method)) {
    sendError(res, 400, { code: 'UNKNOWN_METHOD', message: `unknown method: ${method}` })
    return
  }
  try {
    const result = await core.call(method as MethodName, args)
    sendJson(res, 200, result ?? null)
  } catch (err) {
    const e = wireError(err)
    const status = statusForError(e.code)
    if (status === 500)
      log(
        `glossa serve: ${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`
      )
    sendError(res, status, e)
  }
}

/** Live connections, so close() can end them. */
export type SseClients = Set<ServerResponse>

export function handleEvents(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  clients: SseClients
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no'
  })
  res.write('retry: 2000\n: connected\n\n')
  clients.add(res)
  const offs = EVENT_NAMES.map((name) =>
    core.on(name, (payload) => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)
    })
  )
  const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS)
  beat.unref()
  let done = false
  const cleanup = (): void => {
    if (done) return
    done = true
    clearInterval(beat)
    for (const off of offs) off()
    clients.delete(res)
  }
  req.on('close', cleanup)
  res.on('close', cleanup)
  res.on('error', cleanup)
}
