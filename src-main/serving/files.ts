/**
 * File serving rules shared by browser mode (node:http) and the Electron `glossa://` protocol:
 * the CSP, security headers, MIME types, static-path containment, media paths by id, Range and
 * ETags. Plain Node; never imports electron.
 */
import fs from 'node:fs'
import path from 'node:path'
import { MEDIA_VARIANTS, type MediaVariant } from '../shared/api'

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Headers every response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin'
}

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm'
}

export function mimeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

export type StaticResult =
  | { ok: true; file: string; size: number; mtimeMs: number }
  | { ok: false; status: 400 | 404; reason: string }

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/**
 * Maps a raw (still percent-encoded) URL pathname to a file inside `rootDir`. Every segment is
 * decoded on its own; `.`/`..`, separators, NUL and drive colons inside a segment are refused
 * (400), and the real path (symlinks resolved) must stay inside the real root (else 404).
 */
export async function resolveStatic(rootDir: string, rawPathname: string): Promise<StaticResult> {
  if (!rawPathname.startsWith('/')) return { ok: false, status: 400, reason: 'bad path' }
  const segments: string[] = []
  for (const raw of rawPathname.slice(1).split('/')) {
    let seg: string
    try {
      seg = decodeURIComponent(raw)
    } catch {
      return { ok: false, status: 400, reason: 'bad percent-encoding' }
    }
    if (seg === '.' || seg === '..' || /[/\\\0:]/.test(seg)) {
      return { ok: false, status: 400, reason: 'path traversal refused' }
    }
    segments.push(seg)
  }
  if (segments.length === 0 || segments[segments.length - 1] === '') {
    segments[segments.length === 0 ? 0 : segments.length - 1] = 'index.html'
  }
  if (segments.some((s) => s === '')) return { ok: false, status: 404, reason: 'not found' }
  let root: string
  try {
    root = await fs.promises.realpath(rootDir)
  } catch {
    return { ok: false, status: 404, reason: 'renderer not built' }
  }
  const candidate = path.join(root, ...segments)
  if (!isInside(candidate, root)) return { ok: false, status: 400, reason: 'outside the app' }
  try {
    const real = await fs.promises.realpath(candidate)
    if (!isInside(real, root)) return { ok: false, status: 404, reason: 'not found' }
    const st = await fs.promises.stat(real)
    if (!st.isFile()) return { ok: false, status: 404, reason: 'not found' }
    return { ok: true, file: real, size: st.size, mtimeMs: st.mtimeMs }
  } catch {
    return { ok: false, status: 404, reason: 'not found' }
  }
}

/** Cache policy for a static file: hashed build assets are immutable, the rest revalidates. */
export function staticCacheControl(rawPathname: string): string {
  return rawPathname.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache'
}

const MEDIA_RE = new RegExp(`^/media/(${MEDIA_VARIANTS.join('|')})/([1-9][0-9]{0,15})$`)

/** `/media/<variant>/<id>` on the raw pathname, ids only; anything else (encoded or not) is null. */
export function parseMediaPath(rawPathname: string): { variant: MediaVariant; id: number } | null {
  const m = MEDIA_RE.exec(rawPathname)
  if (!m) return null
  const id = Number(m[2])
  if (!Number.isSafeInteger(id)) return null
  return { variant: m[1] as MediaVariant, id }
}

export type RangeResult = { start: number; end: number } | 'unsatisfiable' | null

/**
 * Parses a single `bytes=` range against a file size. Returns null when the header is absent,
 * malformed or asks for several ranges (the whole file is then sent, as RFC 9110 allows), and
 * 'unsatisfiable' when it cannot be met (416).
 */
export function parseRange(header: string | null | undefined, size: number): RangeResult {
  if (!header) return null
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim())
  if (!m) return null
  const [, a = '', b = ''] = m
  if (a === '' && b === '') return null
  if (a === '') {
    const suffix = Number(b)
    if (suffix === 0) return 'unsatisfiable'
    if (size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(a)
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1)
  if (b !== '' && Number(b) < start) return null
  if (start >= size) return 'unsatisfiable'
  return { start, end }
}

export function etagFor(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`
}

/** True when an If-None-Match header matches the ETag (weak comparison, `*` included). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag)
}

export interface FilePlan {
  status: 200 | 206 | 304 | 416
  headers: Record<string, string>
  /** byte range to stream, or null for no body */
  range: { start: number; end: number } | null
}

/**
 * Decides status, headers and byte range for sending a file, given the request's Range and
 * If-None-Match headers.
 */
export function planFile(
  file: { size: number; mtimeMs: number; mime: string; cacheControl: string },
  req: { range?: string | null; ifNoneMatch?: string | null; head?: boolean }
): FilePlan {
  const etag = etagFor(file.size, file.mtimeMs)
  const base: Record<string, string> = {
    'content-type': file.mime,
    'accept-ranges': 'bytes',
    etag,
    'last-modified': new Date(file.mtimeMs).toUTCString(),
    'cache-control': file.cacheControl
  }
  if (etagMatches(req.ifNoneMatch, etag)) return { status: 304, headers: base, range: null }
  const r = parseRange(req.range, file.size)
  if (r === 'unsatisfiable') {
    return {
      status: 416,
      headers: { ...base, 'content-range': `bytes */${file.size}`, 'content-length': '0' },
      range: null
    }
  }
  if (r) {
    return {
      status: 206,
      headers: {
        ...base,
        'content-range': `bytes ${r.start}-${r.end}/${file.size}`,
        'content-length': String(r.end - r.start + 1)
      },
      range: req.head ? null : r
    }
  }
  const whole = file.size > 0 && !req.head ? { start: 0, end: file.size - 1 } : null
  return { status: 200, headers: { ...base, 'content-length': String(file.size) }, range: whole }
}
