/**
 * The Electron glue's decisions, tested through its pure functions with a real core in a temp
 * dir: window options, the IPC sender check and envelope, the glossa:// media and app handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  APP_URL,
  SCHEME_PRIVILEGES,
  isAllowedNavigation,
  isAllowedSender,
  windowOptions
} from '../../src-main/electron/security'
import { handleIpcCall } from '../../src-main/electron/ipc'
import { appRequest, mediaRequest, protocolRequest } from '../../src-main/electron/protocol'
import { CSP } from '../../src-main/serving/files'
import {
  fakeRendererDir,
  importOneImage,
  tempCore,
  type ImportedImage,
  type TempCore
} from '../fixtures/studio'

let t: TempCore
let img: ImportedImage
let renderer: { dir: string; secret: string }

beforeAll(async () => {
  t = await tempCore('glossa-electron-')
  img = await importOneImage(t.core, t.root)
  renderer = await fakeRendererDir(t.root)
})
afterAll(async () => {
  await t?.cleanup()
})

describe('window options', () => {
  it('isolates and sandboxes the renderer, with no Node and no webviews', () => {
    const o = windowOptions('/app/out/preload/index.cjs')
    const w = o.webPreferences!
    expect(w.preload).toBe('/app/out/preload/index.cjs')
    expect(w.contextIsolation).toBe(true)
    expect(w.sandbox).toBe(true)
    expect(w.nodeIntegration).toBe(false)
    expect(w.nodeIntegrationInWorker).toBe(false)
    expect(w.nodeIntegrationInSubFrames).toBe(false)
    expect(w.webviewTag).toBe(false)
    expect(w.webSecurity).toBe(true)
    expect(w.allowRunningInsecureContent).toBe(false)
    expect(w.experimentalFeatures).toBe(false)
    expect(o.show).toBe(false)
  })

  it('registers glossa:// as a standard, secure, fetch- and stream-capable scheme', () => {
    expect(SCHEME_PRIVILEGES).toEqual({
      scheme: 'glossa',
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true }
    })
    expect(APP_URL).toBe('glossa://app/index.html')
  })
})

describe('IPC sender check', () => {
  it.each([
    ['glossa://app/index.html', true],
    ['glossa://app/', true],
    ['glossa://APP/index.html', true],
    ['glossa://evil/index.html', false],
    ['glossa://user@app/index.html', false],
    ['file:///work/out/renderer/index.html', false],
    ['https://example.com/', false],
    ['http://localhost:5173/', false],
    ['about:blank', false],
    ['data:text/html,<script>1</script>', false],
    ['', false],
    [null, false],
    [undefined, false],
    ['not a url', false]
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedSender(url, null)).toBe(allowed)
  })

  it('allows the dev server origin only in development, and only that origin', () => {
    const dev = 'http://localhost:5173/'
    expect(isAllowedSender('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isAllowedSender('http://localhost:5174/index.html', dev)).toBe(false)
    expect(isAllowedSender('http://127.0.0.1:5173/', dev)).toBe(false)
    expect(isAllowedSender('https://localhost:5173/', dev)).toBe(false)
    expect(isAllowedSender('file:///x', 'file:///x')).toBe(false)
    expect(isAllowedNavigation('https://example.com/phish', dev)).toBe(false)
    expect(isAllowedNavigation('glossa://app/index.html', null)).toBe(true)
  })
})

describe('IPC call wrapper', () => {
  it('forwards an allowed call to the core and returns its result', async () => {
    const set = await handleIpcCall(t.core, APP_URL, 'settings.set', {
      key: 'reviewer',
      value: 'mei'
    })
    expect(set).toEqual({ ok: true, result: { key: 'reviewer', value: 'mei' } })
    const got = await handleIpcCall(t.core, APP_URL, 'settings.get', { key: 'reviewer' })
    expect(got).toEqual({ ok: true, result: { key: 'reviewer', value: 'mei' } })
  })

  it('refuses a foreign frame without touching the core', async () => {
    const r = await handleIpcCall(t.core, 'https://evil.example/', 'settings.set', {
      key: 'reviewer',
      value: 'mallory'
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await t.core.call('settings.get', { key: 'reviewer' })).toEqual({
      key: 'reviewer',
      value: 'mei'
    })
  })

  it('rejects unknown and non-string method names', async () => {
    for (const m of ['fs.readFile', '__proto__', 'constructor', 42, null]) {
      const r = await handleIpcCall(t.core, APP_URL, m, {})
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    }
  })

  it('passes INVALID_ARGS through with its details and never a stack', async () => {
    const r = await handleIpcCall(t.core, APP_URL, 'jobs.get', { id: 'seven', extra: 1 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('INVALID_ARGS')
    expect(r.error.message).toContain('jobs.get')
    expect(Array.isArray(r.error.details)).toBe(true)
    expect(Object.keys(r.error).sort()).toEqual(['code', 'details', 'message'])
    expect(JSON.stringify(r)).not.toMatch(/\n\s+at |stack/)
  })

  it('maps a missing record to NOT_FOUND', async () => {
    const r = await handleIpcCall(t.core, APP_URL, 'jobs.get', { id: 999_999 })
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(JSON.stringify(r)).not.toMatch(/\n\s+at /)
  })
})

describe('glossa://app/media', () => {
  const url = (rest: string): string => `glossa://app/media/${rest}`

  it('serves an imported image by id, whole', async () => {
    const res = await mediaRequest(t.core, url(`full/${img.id}`), null)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(Buffer.from(await res.arrayBuffer()).equals(img.bytes)).toBe(true)
  })

  it('serves byte ranges (206) and refuses unsatisfiable ones (416)', async () => {
    const size = img.bytes.length
    const part = await mediaRequest(t.core, url(`full/${img.id}`), 'bytes=8-23')
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 8-23/${size}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(img.bytes.subarray(8, 24))).toBe(true)

    const suffix = await mediaRequest(t.core, url(`full/${img.id}`), 'bytes=-10')
    expect(suffix.status).toBe(206)
    expect(Buffer.from(await suffix.arrayBuffer()).equals(img.bytes.subarray(size - 10))).toBe(true)

    const open = await mediaRequest(t.core, url(`full/${img.id}`), `bytes=${size - 4}-`)
    expect(open.headers.get('content-range')).toBe(`bytes ${size - 4}-${size - 1}/${size}`)
    expect((await open.arrayBuffer()).byteLength).toBe(4)

    const bad = await mediaRequest(t.core, url(`full/${img.id}`), `bytes=${size}-`)
    expect(bad.status).toBe(416)
    expect(bad.headers.get('content-range')).toBe(`bytes */${size}`)
  })

  it('answers a matching If-None-Match with 304', async () => {
    const first = await mediaRequest(t.core, url(`full/${img.id}`), null)
    const etag = first.headers.get('etag')
    expect(etag).toBeTruthy()
    await first.arrayBuffer()
    const again = await mediaRequest(t.core, url(`full/${img.id}`), null, etag)
    expect(again.status).toBe(304)
  })

  it('serves a thumbnail rendition', async () => {
    const res = await mediaRequest(t.core, url(`thumb/${img.id}`), null)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^image\//)
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0)
  })

  it.each([
    'full/999999',
    'full/0',
    'full/01',
    'full/-1',
    'full/1.5',
    'huge/1',
    'full/..%2f..%2fetc%2fpasswd',
    'full/%2e%2e/x',
    'full/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    'full/1/../../x',
    'full/1%2f',
    'full//etc/passwd',
    'full/%00'
  ])('refuses media/%s', async (rest) => {
    const res = await mediaRequest(t.core, url(rest), null)
    expect([400, 404]).toContain(res.status)
    const body = await res.text()
    expect(body).not.toContain('root:')
  })

  it('refuses other hosts on the scheme', async () => {
    const res = await mediaRequest(t.core, `glossa://evil/media/full/${img.id}`, null)
    expect(res.status).toBe(404)
  })
})

describe('glossa://app static files', () => {
  it('serves index.html with the strict CSP header', async () => {
    for (const u of ['glossa://app/index.html', 'glossa://app/']) {
      const res = await appRequest(u, renderer.dir)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('content-security-policy')).toBe(CSP)
      expect(await res.text()).toContain('<div id="root">')
    }
    expect(CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
  })

  it('serves hashed assets with the right type and a long cache', async () => {
    const res = await appRequest('glossa://app/assets/index-abc123.js', renderer.dir)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).toContain('immutable')
  })

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/leak.txt',
    '/missing.html',
    '/assets/',
    '/%ZZ'
  ])('refuses %s', async (p) => {
    const res = await appRequest(`glossa://app${p}`, renderer.dir)
    expect([400, 404]).toContain(res.status)
    expect(await res.text()).not.toContain('TOP SECRET')
  })

  it('routes by path and accepts only GET and HEAD', async () => {
    const headers = { get: (): string | null => null }
    const post = await protocolRequest(t.core, renderer.dir, {
      url: APP_URL,
      method: 'POST',
      headers
    })
    expect(post.status).toBe(405)
    const media = await protocolRequest(t.core, renderer.dir, {
      url: `glossa://app/media/full/${img.id}`,
      method: 'GET',
      headers: { get: (n: string) => (n === 'range' ? 'bytes=0-3' : null) }
    })
    expect(media.status).toBe(206)
    expect(Buffer.from(await media.arrayBuffer()).equals(img.bytes.subarray(0, 4))).toBe(true)
    const page = await protocolRequest(t.core, renderer.dir, {
      url: APP_URL,
      method: 'GET',
      headers
    })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CSP)
  })
})
