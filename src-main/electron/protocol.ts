/**
 * The `glossa://app/` protocol as pure functions returning web `Response`s (Electron's
 * `protocol.handle` takes them as they are): the built renderer with a strict CSP, and media by id
 * with Range support. No paths in URLs; traversal refused.
 */
import fs from 'node:fs'
import { Readable } from 'node:stream'
import type { Core } from '../core'
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
import { APP_HOST, SCHEME } from './security'

const PREFIX = `${SCHEME}://${APP_HOST}/`

/** The raw (undecoded, unnormalised) pathname of a glossa://app URL, or null for any other URL. */
export function appPathname(url: string): string | null {
  if (!url.toLowerCase().startsWith(PREFIX)) return null
  const rest = url.slice(PREFIX.length - 1)
  const cut = rest.search(/[?#]/)
  return cut < 0 ? rest : rest.slice(0, cut)
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }
  })
}

function fileResponse(
  file: { file: string; size: number; mtimeMs: number; mime: string; cacheControl: string },
  req: { range?: string | null; ifNoneMatch?: string | null },
  extra: Record<string, string> = {}
): Response {
  const plan = planFile(file, req)
  const headers = { ...SECURITY_HEADERS, ...plan.headers, ...extra }
  if (!plan.range) return new Response(null, { status: plan.status, headers })
  const stream = fs.createReadStream(file.file, { start: plan.range.start, end: plan.range.end })
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
    status: plan.status,
    headers
  })
}

export async function mediaRequest(
  core: Pick<Core, 'media'>,
  url: string,
  rangeHeader?: string | null,
  ifNoneMatch?: string | null
): Promise<Response> {
  const p = appPathname(url)
  const m = p === null ? null : parseMediaPath(p)
  if (!m) return text(404, 'Not found')
  const opened = await openMedia(core, m.variant, m.id)
  if (!opened.ok) return text(opened.status, opened.error.message)
  return fileResponse(
    { ...opened.media, cacheControl: MEDIA_CACHE_CONTROL },
    { range: rangeHeader, ifNoneMatch }
  )
}

export async function appRequest(url: string, rendererDir: string): Promise<Response> {
  const p = appPathname(url)
  if (p === null) return text(404, 'Not found')
  const st = await resolveStatic(rendererDir, p)
  if (!st.ok) return text(st.status, st.status === 400 ? 'Bad request' : 'Not found')
  return fileResponse(
    { ...st, mime: mimeFor(st.file), cacheControl: staticCacheControl(p) },
    {},
    { 'content-security-policy': CSP }
  )
}

/** Everything `protocol.handle('glossa', …)` receives goes through here. */
export async function protocolRequest(
  core: Pick<Core, 'media'>,
  rendererDir: string,
  req: { url: string; method: string; headers: { get(name: string): string | null } }
): Promise<Response> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method not allowed')
  const p = appPathname(req.url)
  if (p === null) return text(404, 'Not found')
  if (p === '/media' || p.startsWith('/media/')) {
    return mediaRequest(core, req.url, req.headers.get('range'), req.headers.get('if-none-match'))
  }
  return appRequest(req.url, rendererDir)
}
