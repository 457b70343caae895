/** `POST /api/<method>` and `GET /api/events` (server-sent events) for browser mode. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { EVENT_NAMES, METHOD_NAMES, type ApiError, type MethodName } from '../shared/api'
import { toApiError } from '../shared/errors'
import type { Core } from '../core'
import { isJsonContentType } from './auth'

export const MAX_BODY_BYTES = 50 * 1024 * 1024
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
    case 'CONFLICT':
    case 'DB_TOO_NEW':
    case 'CANCELLED':
      return 409
    default:
      return 500
  }
}

/** Details must survive JSON; anything that does not is dropped rather than leaked half-way. */
function safeDetails(details: unknown): unknown {
  if (details === undefined) return undefined
  try {
    return JSON.parse(JSON.stringify(details)) as unknown
  } catch {
    return undefined
  }
}

export function wireError(err: unknown): ApiError {
  const e = toApiError(err)
  const details = safeDetails(e.details)
  return details === undefined
    ? { code: e.code, message: e.message }
    : { code: e.code, message: e.message, details }
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        reject(new BodyTooLarge())
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function handleApiCall(
  core: Core,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  log: (msg: string) => void
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
    body = await readBody(req, MAX_BODY_BYTES)
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      sendError(res, 413, {
        code: 'INVALID_ARGS',
        message: `request body over ${MAX_BODY_BYTES} bytes`
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
    } catch {
      sendError(res, 400, {
        code: 'INVALID_ARGS',
        message: `${method}: the body is not valid JSON`
      })
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
