/**
 * The core in its own thread (core/host): the contract's calls, errors, events, media and job
 * waits cross the worker's MessagePort exactly as they do in process; a host that dies is
 * reported, restarted, and loses no acknowledged edit; a library that cannot be opened is refused
 * through the host with the open's own error.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import type { Events } from '../../src-main/shared/api'
import { GlossaError } from '../../src-main/shared/errors'
import { startCore, type HostedCore } from '../../src-main/core/host/client'
import { makeImage } from '../fixtures/generate'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { seedLibrary } from '../db/helpers'
import { GLOSSA_APPLICATION_ID } from '../../src-main/core/db/identity'
import { testKeychain } from '../fixtures/key-cipher'

let tmp = ''
let core: HostedCore | null = null

afterEach(async () => {
  await core?.close()
  core = null
  if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true })
})

async function importFolder(n: number): Promise<{ src: string; datasetId: number }> {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-host-'))
  const src = path.join(tmp, 'src')
  for (let i = 0; i < n; i++) {
    await makeImage(path.join(src, `img${i}.png`), { width: 48, height: 32, seed: i })
    await fs.promises.writeFile(path.join(src, `img${i}.txt`), `一只橘猫 ${i}`)
  }
  core = await startCore({ dataDir: path.join(tmp, 'data') })
  const { jobId, datasetId } = await core.call('import.start', { dir: src })
  expect((await core.waitForJob(jobId)).status).toBe('done')
  return { src, datasetId }
}

function rejection(p: Promise<unknown>): Promise<GlossaError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (e: unknown) => e as GlossaError
  )
}

describe('the core host', () => {
  it('answers calls, errors with their codes, events, media and job waits from its own thread', async () => {
    const { datasetId } = await importFolder(3)
    const c = core!
    const page = await c.call('images.page', { filter: { datasetId } })
    expect(page.rows.map((r) => r.fileName)).toEqual(['img0.png', 'img1.png', 'img2.png'])
    expect(page.rows[0]!.zh).toBe('一只橘猫 0')

    const notFound = await rejection(c.call('datasets.get', { id: 999 }))
    expect(notFound).toBeInstanceOf(GlossaError)
    expect(notFound.code).toBe('NOT_FOUND')
    const bad = await rejection(c.call('datasets.get', { id: -1 }))
    expect(bad.code).toBe('INVALID_ARGS')
    expect(Array.isArray(bad.details)).toBe(true)
    const unknown = await rejection(c.call('no.such' as 'datasets.list', {}))
    expect(unknown.code).toBe('UNKNOWN_METHOD')

    const changed: Events['library.changed'][] = []
    const off = c.on('library.changed', (e) => changed.push(e))
    const id = page.rows[1]!.id
    await c.call('captions.setText', { imageId: id, lang: 'en', text: 'an orange cat' })
    // events are posted before the reply, so the edit's event has arrived by now
    expect(changed.some((e) => e.imageIds?.includes(id))).toBe(true)
    off()

    const thumb = await c.media(id, 'thumb')
    expect(thumb.mime).toBe('image/webp')
    expect(fs.existsSync(thumb.path)).toBe(true)
    expect((await rejection(c.media(0, 'thumb'))).code).toBe('INVALID_ARGS')
    expect((await rejection(c.media(99_999, 'full'))).code).toBe('NOT_FOUND')
    expect(c.starts).toBe(1)
  })

  it('restarts after a crash; calls in flight fail with UNAVAILABLE and acknowledged edits are kept', async () => {
    const { datasetId } = await importFolder(2)
    const c = core!
    const statuses: Events['core.status'][] = []
    c.on('core.status', (s) => statuses.push(s))
    const refreshed = new Promise<void>((resolve) =>
      c.on('library.changed', (e) => {
        if (e.reason === 'core restarted') resolve()
      })
    )
    const { rows } = await c.call('images.page', { filter: { datasetId } })
    const saved = await c.call('captions.setText', {
      imageId: rows[0]!.id,
      lang: 'en',
      text: 'acknowledged before the crash'
    })
    expect(saved.batchId).not.toBeNull()

    c.crashForTest()
    const inFlight = await rejection(c.call('datasets.list', {}))
    expect(inFlight.code).toBe('UNAVAILABLE')
    expect(inFlight.message).toMatch(/stopped unexpectedly/)

    // the next call waits for the new host
    const img = await c.call('images.get', { id: rows[0]!.id })
    expect(img.captions.en?.text).toBe('acknowledged before the crash')
    await refreshed
    expect(c.starts).toBe(2)
    expect(statuses.map((s) => s.state)).toEqual(['restarting', 'ready'])
    // undo still knows the edit made by the first host
    await c.call('history.undo', {})
    expect((await c.call('images.get', { id: rows[0]!.id })).captions.en?.text ?? '').toBe('')
  })

  it('takes over a job the crashed host was running at once, and applies it exactly once', async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-host-'))
    const file = path.join(tmp, 'library.sqlite')
    const db = openDatabase(file)
    const { datasetIds } = seedLibrary(db, { datasets: 1, imagesPerDataset: 6000, seed: 5 })
    closeDatabase(db)
    core = await startCore({ dataDir: tmp, libraryFile: file })
    const c = core
    const firstOwner = c.ownerId
    // a non-idempotent edit: applied twice to any caption, it would read "※ ※ …"
    const r = await c.call('bulk.apply', {
      selection: { datasetId: datasetIds[0]!, filter: {} },
      op: {
        kind: 'replace',
        find: '^',
        replace: '※ ',
        regex: true,
        caseInsensitive: false,
        widthInsensitive: false,
        langs: ['zh', 'en'],
        source: 'caption'
      }
    })
    expect(r.jobId).not.toBeNull()
    const started = new Promise<void>((resolve) => {
      const off = c.on('job.progress', (p) => {
        if (p.jobId === r.jobId && p.done > 0) {
          off()
          resolve()
        }
      })
    })
    await started
    c.crashForTest()
    await c.call('datasets.list', {}).catch(() => undefined)
    await c.call('datasets.list', {})
    expect(c.ownerId).not.toBe(firstOwner)
    // the new host reclaimed and resumed it without waiting for the dead lease to expire
    const job = await c.waitForJob(r.jobId!)
    expect(job.status).toBe('done')
    const check = new Database(file, { readonly: true })
    const counts = check
      .prepare(
        `SELECT sum(text LIKE '※ ※ %') AS twice, sum(text LIKE '※ %') AS once,
                sum(text <> '') AS captions FROM captions`
      )
      .get() as { twice: number; once: number; captions: number }
    check.close()
    expect(counts.twice).toBe(0)
    expect(counts.once).toBe(counts.captions)
  })

  it('keeps endpoint keys through the calling thread’s keychain, encrypted and out of the library', async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-host-'))
    const keyFile = path.join(tmp, 'user', 'endpoint-keys.json')
    const KEY = 'sk-host-bridge-5d0c71a9e3'
    let calls = 0
    const cipher = testKeychain()
    const counted = {
      ...cipher,
      encryptString: (plain: string) => {
        calls++
        return cipher.encryptString(plain)
      }
    }
    core = await startCore(
      { dataDir: path.join(tmp, 'data') },
      { keys: { file: keyFile, cipher: counted } }
    )
    const c = core
    expect((await c.call('models.status', {})).keyStorage).toBe(true)
    const m = await c.call('models.endpointSave', {
      endpoint: { name: 'box', url: 'http://127.0.0.1:9/v1', model: 'qwen' }
    })
    expect(await c.call('models.endpointKey', { id: m.id, key: KEY })).toEqual({ stored: true })
    // encrypted by this thread's cipher, written by the host, never in the library
    expect(calls).toBe(1)
    expect(fs.readFileSync(keyFile, 'utf8')).not.toContain(KEY)
    const listed = (await c.call('models.list', {})).find((x) => x.id === m.id)!
    expect(listed.endpoint?.keyStored).toBe(true)
    await c.close()
    core = null
    for (const f of fs.readdirSync(path.join(tmp, 'data')))
      if (f.startsWith('library.sqlite'))
        expect(fs.readFileSync(path.join(tmp, 'data', f)).includes(KEY)).toBe(false)
    // and a host without a keychain (browser mode, the CLI) refuses to take a key
    core = await startCore({ dataDir: path.join(tmp, 'data') })
    expect((await core.call('models.status', {})).keyStorage).toBe(false)
    const refused = await rejection(core.call('models.endpointKey', { id: m.id, key: KEY }))
    expect(refused.message).not.toContain(KEY)
  })

  it('gives up after repeated crashes and says so', async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-host-'))
    core = await startCore({ dataDir: path.join(tmp, 'data') }, { maxRestarts: 1 })
    const c = core
    const failed = new Promise<Events['core.status']>((resolve) =>
      c.on('core.status', (s) => {
        if (s.state === 'failed') resolve(s)
      })
    )
    c.crashForTest()
    await c.call('datasets.list', {}).catch(() => undefined)
    c.crashForTest()
    expect((await failed).reason).toMatch(/exit code/)
    const err = await rejection(c.call('datasets.list', {}))
    expect(err.code).toBe('UNAVAILABLE')
    expect(err.message).toMatch(/keeps stopping/)
  })

  it('refuses a library it cannot open with the open error, leaving the file as it was', async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-host-'))
    const file = path.join(tmp, 'newer.sqlite')
    const db = new Database(file)
    db.pragma(`application_id = ${GLOSSA_APPLICATION_ID}`)
    db.pragma('user_version = 9999')
    db.close()
    const before = fs.readFileSync(file)
    const err = await rejection(startCore({ dataDir: tmp, libraryFile: file }))
    expect(err.code).toBe('DB_TOO_NEW')
    expect(err.message).toContain(file)
    expect(fs.readFileSync(file).equals(before)).toBe(true)
  })

  it('finishes what was asked before closing, then refuses calls', async () => {
    const { datasetId } = await importFolder(2)
    const c = core!
    const { rows } = await c.call('images.page', { filter: { datasetId } })
    const pendingEdit = c.call('images.setStatus', { ids: [rows[0]!.id], status: 'approved' })
    await c.close()
    expect((await pendingEdit).changed).toBe(1)
    expect((await rejection(c.call('datasets.list', {}))).code).toBe('CONFLICT')
    const db = new Database(path.join(tmp, 'data', 'library.sqlite'), { readonly: true })
    const row = db.prepare('SELECT status FROM images WHERE id = ?').get(rows[0]!.id) as {
      status: string
    }
    db.close()
    expect(row.status).toBe('approved')
  })
})
