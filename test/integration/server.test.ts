/**
 * Browser mode end to end over real sockets: a real server on 127.0.0.1:0 with a real core, a
 * real imported image, raw node:http requests (so Host and Origin can be forged the way an
 * attacker's browser or a rebinding DNS name would send them).
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type GlossaServer } from '../../src-main/server'
import { CSP } from '../../src-main/serving/files'
import {
  fakeRendererDir,
  importOneImage,
  tempCore,
  type ImportedImage,
  type TempCore
} from '../fixtures/studio'

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
}

let t: TempCore
let img: ImportedImage
let srv: GlossaServer

function request(
  path: string,
  opts: {
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    auth?: boolean
  } = {}
): Promise<Reply> {
  const headers: Record<string, string> = { host: `127.0.0.1:${srv.port}`, ...opts.headers }
  if (opts.auth !== false && !('authorization' in headers) && !('cookie' in headers)) {
    headers.authorization = `Bearer ${srv.token}`
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: srv.port,
        path,
        method: opts.method ?? 'GET',
        headers,
        setHost: false
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8')
          })
        })
      }
    )
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

function api(method: string, args: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return request(`/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(args)
  })
}

beforeAll(async () => {
  t = await tempCore('glossa-server-')
  img = await importOneImage(t.core, t.root)
  const renderer = await fakeRendererDir(t.root)
  srv = await startServer({ core: t.core, rendererDir: renderer.dir, log: () => {} })
})
afterAll(async () => {
  await srv?.close()
  await t?.cleanup()
})

describe('the token', () => {
  it('is printed in a loopback URL', () => {
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/?token=${srv.token}`)
    expect(srv.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it.each([
    '/',
    '/index.html',
    '/assets/index-abc123.js',
    '/api/events',
    `/media/full/1`,
    `/media/thumb/1`
  ])('is required for GET %s', async (path) => {
    const r = await request(path, { auth: false })
    expect(r.status).toBe(401)
    expect(r.text).not.toContain('<div id="root">')
  })

  it('is required for API calls', async () => {
    const r = await request('/api/library.info', {
      method: 'POST',
      auth: false,
      headers: { 'content-type': 'application/json' },
      body: '{}'
    })
    expect(r.status).toBe(401)
    const wrong = await request('/api/library.info', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: '{}'
    })
    expect(wrong.status).toBe(401)
  })

  it('in the URL becomes an HttpOnly SameSite=Strict cookie and a redirect to /', async () => {
    const r = await request(`/?token=${srv.token}`, { auth: false })
    expect(r.status).toBe(302)
    expect(r.headers.location).toBe('/')
    const cookie = r.headers['set-cookie']?.[0] ?? ''
    expect(cookie).toContain(`=${srv.token}`)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    const pair = cookie.split(';')[0]!
    const page = await request('/', { headers: { cookie: pair } })
    expect(page.status).toBe(200)
    expect(page.text).toContain('<div id="root">')
    expect(page.headers['content-security-policy']).toBe(CSP)
    const bad = await request(`/?token=${srv.token.slice(1)}`, { auth: false })
    expect(bad.status).toBe(401)
    expect(bad.headers['set-cookie']).toBeUndefined()
  })

  it('works as a bearer header', async () => {
    const r = await api('jobs.list', {})
    expect(r.status).toBe(200)
    const jobs = JSON.parse(r.text) as { kind: string; status: string }[]
    expect(jobs.some((j) => j.kind === 'import' && j.status === 'done')).toBe(true)
  })
})

describe('requests from elsewhere', () => {
  it('refuses a foreign Host header (DNS rebinding), even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${srv.port}`, `127.0.0.1:${srv.port + 1}`]) {
      const r = await request('/', { headers: { host } })
      expect(r.status).toBe(403)
      const p = await api('library.info', {}, { host })
      expect(p.status).toBe(403)
    }
    for (const host of [`localhost:${srv.port}`, `[::1]:${srv.port}`]) {
      expect((await request('/', { headers: { host } })).status).toBe(200)
    }
  })

  it('refuses a cross-origin POST, even with the cookie', async () => {
    const r = await api(
      'settings.set',
      { key: 'reviewer', value: 'mallory' },
      { origin: 'http://evil.example' }
    )
    expect(r.status).toBe(403)
    const same = await api(
      'settings.get',
      { key: 'reviewer' },
      { origin: `http://127.0.0.1:${srv.port}` }
    )
    expect(same.status).toBe(200)
    expect(JSON.parse(same.text).value).not.toBe('mallory')
  })

  it('refuses form-encoded and text bodies (simple-request CSRF)', async () => {
    for (const ct of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x'
    ]) {
      const r = await request('/api/settings.set', {
        method: 'POST',
        headers: { 'content-type': ct },
        body: '{"key":"reviewer","value":"mallory"}'
      })
      expect(r.status).toBe(415)
    }
    const none = await request('/api/settings.set', { method: 'POST', body: '{}' })
    expect(none.status).toBe(415)
  })
})

describe('the API', () => {
  it('maps errors to statuses with {error:{code,message,details}} and no stacks', async () => {
    const invalid = await api('jobs.get', { id: 'x' })
    expect(invalid.status).toBe(400)
    const body = JSON.parse(invalid.text)
    expect(body.error.code).toBe('INVALID_ARGS')
    expect(Array.isArray(body.error.details)).toBe(true)
    expect(invalid.text).not.toMatch(/\n\s+at |"stack"/)

    const unknown = await api('fs.readFile', { path: '/etc/passwd' })
    expect(unknown.status).toBe(400)
    expect(JSON.parse(unknown.text).error.code).toBe('UNKNOWN_METHOD')

    const missing = await api('jobs.get', { id: 987654 })
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.text).error.code).toBe('NOT_FOUND')

    const badJson = await request('/api/library.info', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope'
    })
    expect(badJson.status).toBe(400)

    const get = await request('/api/library.info')
    expect(get.status).toBe(405)
  })

  it('round-trips a write and a read', async () => {
    expect((await api('settings.set', { key: 'reviewer', value: '小明' })).status).toBe(200)
    const r = await api('settings.get', { key: 'reviewer' })
    expect(JSON.parse(r.text)).toEqual({ key: 'reviewer', value: '小明' })
  })
})

describe('media by id', () => {
  it('serves an imported image, with Range, ETag and cache headers', async () => {
    const whole = await request(`/media/full/${img.id}`)
    expect(whole.status).toBe(200)
    expect(whole.headers['content-type']).toBe('image/png')
    expect(whole.body.equals(img.bytes)).toBe(true)
    expect(whole.headers['cache-control']).toMatch(/private/)

    const part = await request(`/media/full/${img.id}`, { headers: { range: 'bytes=0-15' } })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 0-15/${img.bytes.length}`)
    expect(part.body.equals(img.bytes.subarray(0, 16))).toBe(true)

    const past = await request(`/media/full/${img.id}`, {
      headers: { range: `bytes=${img.bytes.length}-` }
    })
    expect(past.status).toBe(416)

    const etag = whole.headers.etag!
    const again = await request(`/media/full/${img.id}`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)

    const thumb = await request(`/media/thumb/${img.id}`)
    expect(thumb.status).toBe(200)
    expect(thumb.headers['content-type']).toMatch(/^image\//)
  })

  it('answers 404 for ids that were never imported', async () => {
    const r = await request('/media/full/424242')
    expect(r.status).toBe(404)
    expect(JSON.parse(r.text).error.code).toBe('NOT_FOUND')
  })

  it.each([
    '/media/full/..%2f..%2fetc%2fpasswd',
    '/media/full/1/../../x',
    '/media/full/%2e%2e/x',
    '/media/full/%2E%2E/%2E%2E/etc/passwd',
    '/media/..%2f..%2fetc%2fpasswd',
    '/media/full/',
    '/media/full/1abc',
    '/media/../../etc/passwd',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2fsecret.txt',
    '/leak.txt'
  ])('refuses %s', async (path) => {
    const r = await request(path)
    expect([400, 404]).toContain(r.status)
    expect(r.text).not.toContain('root:')
    expect(r.text).not.toContain('TOP SECRET')
  })
})

describe('server-sent events', () => {
  it('delivers job and library events to a connected browser', async () => {
    const events: { event: string; data: unknown }[] = []
    const got = new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: srv.port,
          path: '/api/events',
          headers: { host: `127.0.0.1:${srv.port}`, authorization: `Bearer ${srv.token}` }
        },
        (res) => {
          expect(res.statusCode).toBe(200)
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
          let buf = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            buf += chunk
            let end: number
            while ((end = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, end)
              buf = buf.slice(end + 2)
              const ev = /^event: (.+)$/m.exec(block)?.[1]
              const data = /^data: (.+)$/m.exec(block)?.[1]
              if (ev && data) events.push({ event: ev, data: JSON.parse(data) })
              if (events.some((e) => e.event === 'job.finished')) {
                req.destroy()
                resolve()
              }
            }
          })
          // Connected: start an import that emits progress, library changes and a final event.
          void api('import.start', { dir: `${t.root}/photos`, datasetName: 'again' }).catch(reject)
        }
      )
      req.on('error', (e) => {
        if (!events.some((x) => x.event === 'job.finished')) reject(e)
      })
      req.end()
    })
    await got
    const names = new Set(events.map((e) => e.event))
    expect(names.has('job.finished')).toBe(true)
    expect(names.has('job.progress') || names.has('library.changed')).toBe(true)
    const finished = events.find((e) => e.event === 'job.finished')!.data as {
      kind: string
      status: string
    }
    expect(finished.kind).toBe('import')
    expect(finished.status).toBe('done')
  })
})

describe('serve()', () => {
  it('opens the named library and serves it until stopped', async () => {
    const { serve } = await import('../../src-main/server/serve')
    const library = `${t.root}/other/library.sqlite`
    const renderer = `${t.root}/renderer`
    const s = await serve({ library, rendererDir: renderer, handleSignals: false })
    try {
      expect(s.core.libraryFile).toBe(library)
      expect(s.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/)
      const res = await fetch(`${s.server.origin}/api/jobs.list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.server.token}` },
        body: '{}'
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual([])
    } finally {
      await s.stop()
    }
    await expect(
      serve({ library, rendererDir: `${t.root}/nowhere`, handleSignals: false })
    ).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })
})
