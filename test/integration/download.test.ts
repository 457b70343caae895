/**
 * Model downloads against a LOOPBACK Hugging Face stand-in (node:http on 127.0.0.1; nothing
 * else is contacted): the tree API and resolve URLs, a connection dropped midway (resumed with a
 * Range request, byte-exact), a checksum mismatch reported with the file name, and cancel that
 * leaves no partial file under the real name (the .part stays, and a resumed download uses it).
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import type { JobProgress } from '../../src-main/shared/api'
import { buildTaggerModel, selectedTagsCsv } from '../fixtures/models/make-tagger'

type Mode = 'drop' | 'badsum' | 'stall' | 'plain'
interface FakeFile {
  path: string
  body: Buffer
  lfs: boolean
}

const weights = randomBytes(2 * 1024 * 1024 + 123)
const FILES: FakeFile[] = [
  { path: 'model.onnx', body: Buffer.from(buildTaggerModel({ dynamicBatch: true })), lfs: true },
  { path: 'selected_tags.csv', body: Buffer.from(selectedTagsCsv()), lfs: false },
  { path: 'extra/weights.bin', body: weights, lfs: true },
  { path: 'README.md', body: Buffer.from('# a fake repo\n'), lfs: false }
]
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const gitOid = (b: Buffer): string =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex')

let tmp: string
let core: Core
let server: http.Server
let base: string
const sockets = new Set<Socket>()
const requests: { url: string; range: string | undefined }[] = []
let modes: Record<string, Mode> = {}
let stallSent: () => void = () => undefined
let stallMode: 'stall' | 'serve' = 'stall'

function tree(repo: string): unknown[] {
  return FILES.map((f) => {
    const oid =
      modes[repo] === 'badsum' && f.path === 'extra/weights.bin' ? '0'.repeat(64) : sha256(f.body)
    return f.lfs
      ? {
          type: 'file',
          path: f.path,
          size: f.body.length,
          oid: gitOid(f.body),
          lfs: { oid, size: f.body.length }
        }
      : { type: 'file', path: f.path, size: f.body.length, oid: gitOid(f.body) }
  }).concat([{ type: 'directory', path: 'extra', size: 0, oid: 'x' }])
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-download-'))
  core = createCore({ dataDir: path.join(tmp, 'data') })
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    requests.push({ url: url.pathname, range: req.headers.range })
    const api = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/)
    if (api) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(tree(api[1]!)))
      return
    }
    const m = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/)
    const file = m && FILES.find((f) => f.path === decodeURIComponent(m[2]!))
    if (!m || !file) {
      res.writeHead(404).end()
      return
    }
    const mode = modes[m[1]!] ?? 'plain'
    const range = req.headers.range?.match(/^bytes=(\d+)-$/)
    const start = range ? Number(range[1]) : 0
    const body = file.body.subarray(start)
    const headers: http.OutgoingHttpHeaders = {
      'content-length': body.length,
      etag: `"${gitOid(file.body)}"`
    }
    if (range)
      headers['content-range'] = `bytes ${start}-${file.body.length - 1}/${file.body.length}`
    res.writeHead(range ? 206 : 200, headers)
    const big = file.path === 'extra/weights.bin'
    if (big && mode === 'drop' && !range) {
      // half the file, then the connection drops
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
      return
    }
    if (big && mode === 'stall' && stallMode === 'stall') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => stallSent())
      return // never ends: the client has to cancel
    }
    res.end(body)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await core?.close()
  for (const s of sockets) s.destroy()
  await new Promise((r) => server.close(r))
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort()
}

describe('models.download (loopback server)', () => {
  it('resumes a dropped connection with a Range request, verifies, and registers the model', async () => {
    modes = { 'test/drop': 'drop' }
    const progress: JobProgress[] = []
    const off = core.on('job.progress', (p) => progress.push(p))
    const r = await core.call('models.download', { repoId: 'test/drop', mirror: base })
    const job = await core.waitForJob(r.jobId)
    off()
    expect(job.status, job.error ?? '').toBe('done')
    const total = FILES.reduce((s, f) => s + f.body.length, 0)
    expect(job.total).toBe(total)
    expect(job.done).toBe(total)
    const mine = progress.filter((p) => p.jobId === r.jobId && p.kind === 'download')
    // progress is in bytes: the download phase announces the byte total, the last event is complete
    expect(mine.some((p) => p.phase === 'download' && p.total === total)).toBe(true)
    expect(mine.at(-1)).toMatchObject({ status: 'done', done: total, total })

    const big = requests.filter((q) => q.url === '/test/drop/resolve/main/extra/weights.bin')
    expect(big.length).toBe(2)
    expect(big[0]!.range).toBeUndefined()
    expect(big[1]!.range).toMatch(/^bytes=\d+-$/)
    expect(Number(big[1]!.range!.slice(6, -1))).toBeGreaterThan(0)

    expect(r.dir).toBe(path.join(core.dataDir, 'models', 'test', 'drop'))
    expect(filesUnder(r.dir)).toEqual(FILES.map((f) => f.path).sort())
    for (const f of FILES)
      expect(fs.readFileSync(path.join(r.dir, f.path)).equals(f.body), f.path).toBe(true)
    const models = await core.call('models.list', {})
    expect(models).toEqual([
      expect.objectContaining({ id: 'drop', kind: 'tagger', repoId: 'test/drop', dir: r.dir })
    ])
  })

  it('detects a checksum mismatch and reports the file by name', async () => {
    modes = { 'test/badsum': 'badsum' }
    const r = await core.call('models.download', { repoId: 'test/badsum', mirror: base })
    const job = await core.waitForJob(r.jobId)
    expect(job.status).toBe('failed')
    expect(job.error).toContain('extra/weights.bin: checksum mismatch')
    const errors = await core.call('jobs.errors', { id: r.jobId })
    expect(errors.items).toEqual([
      expect.objectContaining({
        key: 'extra/weights.bin',
        error: expect.stringContaining('sha256')
      })
    ])
    // the bad file is neither in place nor kept as a .part; the good ones are
    expect(filesUnder(r.dir)).toEqual(['README.md', 'model.onnx', 'selected_tags.csv'])
    expect((await core.call('models.list', {})).map((m) => m.id)).toEqual(['drop'])
  })

  it('cancel leaves no partial file in place; the .part is kept and a resume completes it', async () => {
    modes = { 'test/stall': 'stall' }
    stallMode = 'stall'
    const sent = new Promise<void>((r) => (stallSent = r))
    const r = await core.call('models.download', { repoId: 'test/stall', mirror: base })
    await sent
    const part = path.join(r.dir, 'extra', 'weights.bin.part')
    while (!fs.existsSync(part) || fs.statSync(part).size === 0) await sleep(5)
    await core.call('jobs.cancel', { id: r.jobId })
    const job = await core.waitForJob(r.jobId)
    expect(job.status).toBe('cancelled')
    expect(fs.existsSync(path.join(r.dir, 'extra', 'weights.bin'))).toBe(false)
    const kept = fs.statSync(part).size
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(weights.length)

    stallMode = 'serve'
    const again = await core.call('models.download', { repoId: 'test/stall', mirror: base })
    expect(again).toMatchObject({ jobId: r.jobId, resumed: true })
    expect((await core.waitForJob(r.jobId)).status).toBe('done')
    expect(fs.readFileSync(path.join(r.dir, 'extra', 'weights.bin')).equals(weights)).toBe(true)
    expect(fs.existsSync(part)).toBe(false)
    const last = requests
      .filter((q) => q.url === '/test/stall/resolve/main/extra/weights.bin')
      .at(-1)!
    expect(last.range).toBe(`bytes=${kept}-`)
  })
})
