/**
 * Browser mode under hostile input (issue 11), over real HTTP against a real library:
 *  - catastrophic regexes ((a+)+$, (a|aa)+$, (\w+\s?)*$) on every entry point that takes one —
 *    bulk preview and apply, cleanup rules (save, test, preview), glossary regex triggers (save,
 *    preview) — end with a result or a clear error, and while the long ones run the server
 *    answers another request first (order, not time, is asserted);
 *  - huge and deep bodies, millions of invalid elements, a slow body, a NUL byte: a clear 4xx
 *    with a small error, never a 500 and never a freeze;
 *  - the fuzz corpus: every method × malformed arguments (the contract cases, mutated with
 *    hostile values): no 500, a documented error code, a bounded error body.
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { startServer, type GlossaServer } from '../../src-main/server'
import { argSchemas, ERROR_CODES, METHOD_NAMES } from '../../src-main/shared/api'
import { seedLibrary, prng } from '../db/helpers'
import { fakeRendererDir } from '../fixtures/studio'
import { captioningBad } from './contract-cases/captioning'
import { datatoolsBad } from './contract-cases/datatools'
import { glossaryBad } from './contract-cases/glossary'
import { reviewBad } from './contract-cases/review'

const EVIL = ['(a+)+$', '(a|aa)+$', '(\\w+\\s?)*$']
const CAPTION = 'a'.repeat(40) + '!'
const IMAGES = 6000

let dir: string
let core: Core
let srv: GlossaServer
let datasetId: number
let ids: number[]

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-hostile-'))
  const file = path.join(dir, 'library.sqlite')
  const db = openDatabase(file)
  datasetId = seedLibrary(db, { datasets: 1, imagesPerDataset: IMAGES, seed: 5 }).datasetIds[0]!
  // every en caption is the text that made (a+)+$ backtrack for 18-33 s
  db.prepare(`UPDATE captions SET text = ? WHERE lang = 'en'`).run(CAPTION)
  ids = (db.prepare('SELECT id FROM images ORDER BY id LIMIT 500').all() as { id: number }[]).map(
    (r) => r.id
  )
  closeDatabase(db)
  core = createCore({ dataDir: dir, libraryFile: file })
  const renderer = await fakeRendererDir(dir)
  srv = await startServer({ core, rendererDir: renderer.dir, log: () => {}, bodyTimeoutMs: 500 })
})

afterAll(async () => {
  await srv?.close()
  await core?.close()
  await fs.promises.rm(dir, { recursive: true, force: true })
})

interface Answer {
  status: number
  body: unknown
  bytes: number
}

async function post(method: string, body: string | Buffer): Promise<Answer> {
  const res = await fetch(`${srv.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${srv.token}` },
    body
  })
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as unknown, bytes: Buffer.byteLength(text) }
}

const call = (method: string, args: unknown = {}) => post(method, JSON.stringify(args))

interface ApiErrorBody {
  error: { code: string; message: string }
}

/**
 * Sends `slow`, then another request; resolves with the slow call's answer and whether the
 * other one was answered first.
 */
async function whileRunning(
  method: string,
  args: unknown
): Promise<{ answer: Answer; otherFirst: boolean }> {
  const order: string[] = []
  const slow = call(method, args).then((a) => {
    order.push('slow')
    return a
  })
  const other = call('datasets.list').then((a) => {
    order.push('other')
    return a
  })
  const [answer, list] = await Promise.all([slow, other])
  expect(list.status).toBe(200)
  return { answer, otherFirst: order[0] === 'other' }
}

const selection = () => ({ datasetId, filter: { datasetId } })
const replaceOp = (find: string) => ({
  kind: 'replace',
  find,
  replace: 'x',
  regex: true,
  langs: ['en']
})
const rule = (find: string) => ({ id: 'evil', find, replace: 'x', regex: true, fields: ['en'] })

describe('catastrophic regexes', () => {
  for (const find of EVIL) {
    it(`bulk.preview ${find}: a result, and another request answered meanwhile`, async () => {
      const { answer, otherFirst } = await whileRunning('bulk.preview', {
        selection: selection(),
        op: replaceOp(find),
        limit: 5
      })
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      expect((answer.body as { count: number }).count).toBe(IMAGES)
      expect(otherFirst).toBe(true)
    })
  }

  it('bulk.apply (in one transaction) with (a|aa)+$ ends with a result', async () => {
    const r = await call('bulk.apply', { selection: { ids }, op: replaceOp('(a|aa)+!$') })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect((r.body as { changed: number }).changed).toBeGreaterThan(0)
  })

  it('cleanup rules: saved, tested and previewed with a result; another request answered meanwhile', async () => {
    for (const find of ['(a|aa)+$', '(a|a)+$', '(?:a|aa)+$']) {
      const saved = await call('cleanup.rules.save', { datasetId, rules: [rule(find)] })
      expect(saved.status, JSON.stringify(saved.body)).toBe(200)
      const tested = await call('cleanup.rules.test', {
        rule: rule(find),
        samples: Array(50).fill(CAPTION)
      })
      expect(tested.status).toBe(200)
      const { answer, otherFirst } = await whileRunning('cleanup.preview', {
        target: { datasetId },
        userRules: [rule(find)],
        limit: 5
      })
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      expect(otherFirst).toBe(true)
    }
  })

  it('a pattern the linear engine cannot run is refused when saved, with the reason', async () => {
    const r = await call('cleanup.rules.save', { datasetId, rules: [rule('(a)\\1')] })
    expect(r.status).toBe(400)
    expect((r.body as ApiErrorBody).error.message).toMatch(/backreference/)
    const g = await call('glossary.save', {
      entry: { name: { en: 'Lookahead' }, triggers: { regex: ['a(?=b)'] } }
    })
    expect(g.status).toBe(400)
    expect((g.body as ApiErrorBody).error.message).toMatch(/lookahead/)
  })

  it('a glossary regex trigger (a+)+$ is saved, and previews end with a result meanwhile', async () => {
    const saved = await call('glossary.save', {
      datasetId,
      entry: {
        name: { en: 'Scream' },
        aliases: { zh: [], en: ['a'] },
        triggers: { regex: ['(a+)+$'] }
      }
    })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    const { answer, otherFirst } = await whileRunning('glossary.preview', {
      target: { datasetId },
      limit: 5
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(otherFirst).toBe(true)
  })
})

describe('huge, deep and slow bodies', () => {
  const small = (a: Answer) => expect(a.bytes).toBeLessThan(64 * 1024)

  it('3 million invalid array elements: 413 TOO_LARGE at once, a small error', async () => {
    const body = `{"ids":[${Array(3_000_000).fill('"x"').join(',')}],"status":"approved"}`
    const r = await post('images.setStatus', body)
    expect(r.status).toBe(413)
    expect((r.body as ApiErrorBody).error.code).toBe('TOO_LARGE')
    small(r)
  })

  it('a hundred thousand invalid ids: one issue that counts them, not one per element', async () => {
    const r = await call('images.setStatus', { ids: Array(100_000).fill(-1), status: 'approved' })
    expect(r.status).toBe(400)
    expect((r.body as ApiErrorBody).error.message).toMatch(/100,000 items are not/)
    small(r)
  })

  it('many problems: the first ones are listed and the rest counted', async () => {
    const rules = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, find: 7, replace: 8 }))
    const r = await call('cleanup.rules.save', { datasetId, rules })
    expect(r.status).toBe(400)
    expect((r.body as ApiErrorBody).error.message).toMatch(/more problems/)
    small(r)
  })

  it('a body over the limit: 413 TOO_LARGE without reading it all', async () => {
    const r = await post('settings.set', `{"key":"k","value":"${'x'.repeat(20 * 1024 * 1024)}"}`)
    expect(r.status).toBe(413)
    expect((r.body as ApiErrorBody).error.code).toBe('TOO_LARGE')
  })

  it('a settings value over its limit is refused with the limit named', async () => {
    const r = await call('settings.set', { key: 'k', value: 'x'.repeat(100_000) })
    expect(r.status).toBe(400)
    expect((r.body as ApiErrorBody).error.message).toMatch(/65,536/)
    const stored = await call('settings.get', { key: 'k' })
    expect((stored.body as { value: unknown }).value).toBeNull()
  })

  it('a 3,000-deep array: 413 TOO_LARGE, no stack overflow', async () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000)
    const r = await post('settings.set', `{"key":"k","value":${deep}}`)
    expect(r.status).toBe(413)
    expect((r.body as ApiErrorBody).error.code).toBe('TOO_LARGE')
  })

  it('a NUL byte in a search or a path: 400, not 500', async () => {
    const a = await call('images.page', { filter: { search: 'ab\u0000cd' } })
    const b = await call('import.start', { dir: '/tmp/\u0000x' })
    for (const r of [a, b]) {
      expect(r.status).toBe(400)
      expect((r.body as ApiErrorBody).error.code).toBe('INVALID_ARGS')
    }
  })

  it('a body that stops arriving: 408 TIMEOUT, and the server goes on answering', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(srv.port, '127.0.0.1', () => {
        sock.write(
          `POST /api/datasets.list HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAuthorization: Bearer ${srv.token}\r\n` +
            `Origin: ${srv.origin}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`
        )
      })
      let data = ''
      sock.setEncoding('utf8').on('data', (d: string) => (data += d))
      sock.on('close', () => resolve(data))
      sock.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(answer).toContain('"TIMEOUT"')
    expect((await call('datasets.list')).status).toBe(200)
  })
})

describe('the fuzz corpus: every method × malformed arguments', () => {
  const HOSTILE: unknown[] = [
    null,
    -1,
    0,
    1.5,
    1e308,
    '',
    '\u0000',
    'x'.repeat(100_000),
    [],
    {},
    true,
    '../../../../etc/passwd',
    [[[[[[[[1]]]]]]]],
    { __proto__: { polluted: 1 } },
    { constructor: { prototype: { x: 1 } } }
  ]
  const cases: Record<string, unknown[]> = {
    ...captioningBad,
    ...glossaryBad,
    ...datatoolsBad,
    ...reviewBad
  }

  /** Each bad case, plus each of its keys replaced by each hostile value (deterministic). */
  function corpus(method: string): unknown[] {
    const rnd = prng(method.length * 7919)
    const base: unknown[] = [null, 42, 'x', [], { extra: 1 }, ...(cases[method] ?? [])]
    const out: unknown[] = [...base]
    for (const b of base) {
      if (typeof b !== 'object' || b === null || Array.isArray(b)) continue
      for (const k of Object.keys(b))
        for (let i = 0; i < 3; i++)
          out.push({ ...b, [k]: HOSTILE[Math.floor(rnd() * HOSTILE.length)] })
    }
    for (const v of HOSTILE) out.push({ id: v, datasetId: v, file: v, dir: v, selection: v })
    return out
  }

  it('answers every malformed call with a documented 4xx error of bounded size', async () => {
    const codes = new Set<string>(ERROR_CODES)
    const failures: string[] = []
    let sent = 0
    for (const method of METHOD_NAMES) {
      for (const args of corpus(method)) {
        // the corpus is about malformed arguments: an accidentally valid call is not sent
        const wire = JSON.stringify(args)
        const schema = argSchemas[method] as { safeParse(v: unknown): { success: boolean } }
        if (schema.safeParse(JSON.parse(wire)).success) continue
        sent++
        const r = await post(method, wire)
        const e = (r.body as Partial<ApiErrorBody>).error
        if (r.status >= 500 || !e || !codes.has(e.code) || r.bytes > 64 * 1024)
          failures.push(
            `${method} ${JSON.stringify(args).slice(0, 200)} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`
          )
      }
    }
    expect(sent).toBeGreaterThan(METHOD_NAMES.length * 5)
    expect(failures).toEqual([])
  })
})
