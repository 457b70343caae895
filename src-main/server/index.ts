/**
 * Browser mode (`glossa serve`): the built renderer, `POST /api/<method>`, `GET /api/events`
 * (SSE) and `GET /media/<variant>/<id>` on node:http, behind a random token, a Host allow-list
 * and an Origin check.
 */
import fs from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Core } from '../core'
import {
  isAllowedHost,
  isAllowedOrigin,
  isAuthorized,
  isLoopback,
  newToken,
  sessionCookie,
  tokenEquals
} from './auth'
import {
  handleApiCall,
  handleEvents,
  sendError,
  statusForError,
  wireError,
  type SseClients
} from './api'
import {
  CSP,
  SECURITY_HEADERS,
  mimeFor,
  parseMediaPath,
  planFile,
  resolveStatic,
  staticCacheControl
} from '../serving/files'
import { MEDIA_CACHE_CONTROL, openMedia } from '../serving/media'

export interface ServerOptions {
  core: Core
  /** default 127.0.0.1; anything not loopback prints a warning */
  host?: string
  /** default 0: a free port */
  port?: number
  /** the built renderer (out/renderer) */
  rendererDir: string
  /** default: 32 random bytes, base64url */
  token?: string
  /** where warnings and internal errors go; default stderr */
  log?: (msg: string) => void
  /** how long a request body may take to arrive (default BODY_TIMEOUT_MS, 30 s) */
  bodyTimeoutMs?: number
}

export interface GlossaServer {
  /** the URL to open, with its token: `http://127.0.0.1:<port>/?token=<token>` */
  url: string
  /** `http://<host>:<port>` without the token */
  origin: string
  host: string
  port: number
  token: string
  close(): Promise<void>
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {}
): void {
  const body = Buffer.from(text + '\n', 'utf8')
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    ...extra
  })
  res.end(body)
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: { file: string; size: number; mtimeMs: number; mime: string; cacheControl: string },
  extra: Record<string, string> = {}
): void {
  const plan = planFile(file, {
    range: req.headers.range,
    ifNoneMatch: req.headers['if-none-match'],
    head: req.method === 'HEAD'
  })
  res.writeHead(plan.status, { ...plan.headers, ...extra })
  if (!plan.range) {
    res.end()
    return
  }
  const stream = fs.createReadStream(file.file, { start: plan.range.start, end: plan.range.end })
  stream.on('error', () => res.destroy())
  res.on('close', () => stream.destroy())
  stream.pipe(res)
}

export async function startServer(opts: ServerOptions): Promise<GlossaServer> {
  const { core, rendererDir } = opts
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? newToken()
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'))
  const clients: SseClients = new Set()
  let port = 0

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v)
    const rawUrl = req.url ?? '/'
    if (!rawUrl.startsWith('/')) return sendText(res, 400, 'Bad request')
    const q = rawUrl.indexOf('?')
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1))

    if (!isAllowedHost(req.headers.host, host, port)) {
      return sendText(res, 403, 'Forbidden: unexpected Host header')
    }
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return sendText(res, 405, 'Method not allowed', { allow: 'GET, HEAD, POST' })
    }
    // First visit from the printed URL: trade the token for a cookie and drop it from the URL.
    const queryToken = query.get('token')
    if (queryToken !== null && method !== 'POST') {
      if (!tokenEquals(queryToken, token)) return sendText(res, 401, 'Unauthorized: wrong token')
      return sendText(res, 302, 'Found', {
        location: rawPath,
        'set-cookie': sessionCookie(port, token)
      })
    }
    if (!isAuthorized(req.headers, port, token)) {
      return sendText(
        res,
        401,
        'Unauthorized: open the URL printed by `glossa serve` (it carries the access token).'
      )
    }
    if (method === 'POST' && !isAllowedOrigin(req.headers.origin, req.headers.host ?? '')) {
      return sendText(res, 403, 'Forbidden: cross-origin request')
    }

    if (rawPath.startsWith('/api/')) {
      const name = rawPath.slice('/api/'.length)
      if (name === 'events') {
        if (method === 'POST') return sendText(res, 405, 'Method not allowed', { allow: 'GET' })
        return handleEvents(core, req, res, clients)
      }
      if (method !== 'POST') return sendText(res, 405, 'Method not allowed', { allow: 'POST' })
      return handleApiCall(core, name, req, res, log, opts.bodyTimeoutMs)
    }
    if (method === 'POST') return sendText(res, 405, 'Method not allowed', { allow: 'GET, HEAD' })

    if (rawPath === '/media' || rawPath.startsWith('/media/')) {
      const m = parseMediaPath(rawPath)
      if (!m) return sendError(res, 404, { code: 'NOT_FOUND', message: 'no such media' })
      const opened = await openMedia(core, m.variant, m.id)
      if (!opened.ok) return sendError(res, opened.status, opened.error)
      return sendFile(req, res, { ...opened.media, cacheControl: MEDIA_CACHE_CONTROL })
    }

    const st = await resolveStatic(rendererDir, rawPath)
    if (!st.ok) return sendText(res, st.status, st.status === 400 ? 'Bad request' : 'Not found')
    return sendFile(
      req,
      res,
      { ...st, mime: mimeFor(st.file), cacheControl: staticCacheControl(rawPath) },
      { 'content-security-policy': CSP }
    )
  }

  // a job's failure reason goes to the log as well as to the studio's job card
  const offJobs = core.on('job.finished', (j) => {
    if (j.status === 'failed')
      log(`glossa serve: job ${j.id} (${j.kind}) failed: ${j.error ?? 'no reason was recorded'}`)
  })

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log(
        `glossa serve: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`
      )
      if (res.headersSent) return void res.destroy()
      const e = wireError(err)
      if (e.code === 'INTERNAL')
        sendError(res, 500, { code: 'INTERNAL', message: 'internal error' })
      else sendError(res, statusForError(e.code), e)
    })
  })
  // Slow senders: headers must arrive within 20 s and a whole request within 60 s (Node answers
  // 408 and closes). These bound RECEIVING a request; an SSE response stays open as long as the
  // browser listens. Bodies have their own, shorter limit (api.ts BODY_TIMEOUT_MS).
  server.headersTimeout = 20_000
  server.requestTimeout = 60_000
  server.maxHeadersCount = 100

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  if (!isLoopback(host)) {
    log(
      `glossa serve: WARNING: listening on ${host}, reachable from other machines. Anyone with the ` +
        'token can read and edit this library; prefer 127.0.0.1 with an SSH tunnel.'
    )
  }
  const origin = `http://${urlHost(host)}:${port}`
  let closing: Promise<void> | null = null
  return {
    url: `${origin}/?token=${token}`,
    origin,
    host,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        offJobs()
        for (const c of clients) c.end()
        clients.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    }
  }
}
