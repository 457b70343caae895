import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { openDatabase } from '../../src-main/core/db/open'
import { makeImage, makeImportFolder, type ImportFolderManifest } from '../fixtures/generate'

interface Row {
  id: number
  path: string
  rel_path: string
  file_name: string
  folder: string
  concept: string
  repeats: number | null
  sha256: string | null
  width: number | null
  height: number | null
  format: string | null
  orientation: number | null
  bytes: number
  raw_caption: string | null
  raw_file: string | null
  raw_encoding: string | null
  error: string | null
  updated_at: number
}
interface CaptionDbRow {
  image_id: number
  lang: string
  text: string
  source: string
}

let fixtureDir: string
let manifest: ImportFolderManifest
const cleanup: string[] = []
let core: Core | null = null
let ro: Database.Database | null = null

beforeAll(async () => {
  fixtureDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-import-src-'))
  cleanup.push(fixtureDir)
  manifest = await makeImportFolder(path.join(fixtureDir, 'my set'))
})

afterEach(async () => {
  ro?.close()
  ro = null
  await core?.close()
  core = null
})

afterAll(async () => {
  for (const d of cleanup) await fs.promises.rm(d, { recursive: true, force: true })
})

async function newCore(): Promise<Core> {
  const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-import-data-'))
  cleanup.push(dataDir)
  core = createCore({ dataDir })
  return core
}

function readOnly(c: Core): Database.Database {
  ro = new Database(c.libraryFile, { readonly: true })
  return ro
}

function rowsByRel(db: Database.Database): Map<string, Row> {
  const rows = db.prepare('SELECT * FROM images ORDER BY id').all() as Row[]
  return new Map(rows.map((r) => [r.rel_path, r]))
}

async function importOnce(c: Core, dir: string) {
  const started = await c.call('import.start', { dir })
  const job = await c.waitForJob(started.jobId)
  return { started, job }
}

describe('folder import', () => {
  it('imports a 200+ image tree with the right rows, texts, concepts, repeats and languages', async () => {
    const c = await newCore()
    const { started, job } = await importOnce(c, manifest.root)
    expect(job.status).toBe('done')
    expect(manifest.images.length).toBeGreaterThanOrEqual(200)
    expect(job.total).toBe(manifest.images.length)
    expect(job.failed).toBe(0)
    expect(job.done).toBe(manifest.images.length)

    const db = readOnly(c)
    const ds = db.prepare('SELECT id, name FROM datasets').all()
    expect(ds).toEqual([{ id: started.datasetId, name: 'my set' }])
    const rows = rowsByRel(db)
    expect(rows.size).toBe(manifest.images.length)
    for (const ignored of manifest.ignored) expect(rows.has(ignored)).toBe(false)

    const caps = db
      .prepare('SELECT image_id, lang, text, source FROM captions')
      .all() as CaptionDbRow[]
    const capsOf = (id: number) => caps.filter((x) => x.image_id === id)
    for (const exp of manifest.images) {
      const r = rows.get(exp.relPath)
      expect(r, exp.relPath).toBeDefined()
      if (!r) continue
      const where = `${exp.relPath}`
      expect(r.error, where).toBeNull()
      expect(r.path, where).toBe(path.join(manifest.root, exp.relPath))
      expect(r.concept, where).toBe(exp.concept)
      expect(r.repeats, where).toBe(exp.repeats)
      expect(r.format, where).toBe(exp.format)
      expect([r.width, r.height], where).toEqual([exp.width, exp.height])
      expect(r.orientation ?? 1, where).toBe(exp.orientation ?? 1)
      expect(r.sha256, where).toMatch(/^[0-9a-f]{64}$/)
      expect(r.raw_caption, where).toBe(exp.raw)
      expect(r.raw_file, where).toBe(exp.rawFile && path.join(manifest.root, exp.rawFile))
      expect(r.raw_encoding, where).toBe(exp.encoding)
      const mine = capsOf(r.id)
      if (exp.lang === null) expect(mine, where).toEqual([])
      else {
        expect(mine, where).toEqual([
          { image_id: r.id, lang: exp.lang, text: exp.raw!.trim(), source: 'import' }
        ])
      }
    }
    // Every encoding, every kind of folder and name is actually in the fixture.
    const encodings = new Set(manifest.images.map((i) => i.encoding))
    for (const e of ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'gb18030'])
      expect(encodings).toContain(e)
    expect(rows.get('广州塔 夜景.jpg')?.raw_caption).toContain('广州塔')
    expect(rows.get('my photo (1).png')?.raw_caption).toContain('tower')
    expect(rows.get('3_a_b/img 000.tif')).toMatchObject({ concept: 'a_b', repeats: 3 })
    expect(rows.get('10_sks dog/close ups/img 000.TIFF')).toMatchObject({
      concept: 'sks dog',
      repeats: 10
    })
    // Chinese and English captions reach the search index.
    const zhHits = db
      .prepare(`SELECT count(*) AS n FROM image_fts WHERE zh MATCH '"广州塔"'`)
      .get() as { n: number }
    const zhExpected = manifest.images.filter(
      (i) => i.lang === 'zh' && i.raw!.includes('广州塔')
    ).length
    expect(zhHits.n).toBe(zhExpected)
    const enHits = db
      .prepare(`SELECT count(*) AS n FROM image_fts WHERE en MATCH '"tower"'`)
      .get() as { n: number }
    expect(enHits.n).toBe(manifest.images.filter((i) => i.lang === 'en').length)
  })

  it('a second import of the same folder adds nothing and touches no row', async () => {
    const c = await newCore()
    await importOnce(c, manifest.root)
    const db = readOnly(c)
    const before = db.prepare('SELECT * FROM images ORDER BY id').all()
    const capsBefore = db.prepare('SELECT * FROM captions ORDER BY image_id, lang').all()
    const journalBefore = db.prepare('SELECT count(*) AS n FROM journal_batches').get()

    const { started, job } = await importOnce(c, manifest.root)
    expect(started.resumed).toBe(false)
    expect(job.status).toBe('done')
    expect(job.failed).toBe(0)
    const items = db
      .prepare('SELECT status, count(*) AS n FROM job_items WHERE job_id = ? GROUP BY status')
      .all(started.jobId)
    expect(items).toEqual([{ status: 'skipped', n: manifest.images.length }])
    expect(db.prepare('SELECT * FROM images ORDER BY id').all()).toEqual(before)
    expect(db.prepare('SELECT * FROM captions ORDER BY image_id, lang').all()).toEqual(capsBefore)
    expect(db.prepare('SELECT count(*) AS n FROM journal_batches').get()).toEqual(journalBefore)
  })

  it('re-imports only changed files and never overwrites a manual caption', async () => {
    // A private copy, so this test may change files.
    const copy = path.join(fixtureDir, 'copy')
    await fs.promises.cp(manifest.root, copy, { recursive: true })
    const c = await newCore()
    await importOnce(c, copy)

    const withRaw = manifest.images.filter((i) => i.lang === 'en' && i.rawFile?.endsWith('.txt'))
    const [imgChanged, sideChanged, manualOne] = [withRaw[0]!, withRaw[1]!, withRaw[2]!]
    const future = new Date(Date.now() + 60_000)

    // 1. the image itself: new pixels and size
    await makeImage(path.join(copy, imgChanged.relPath), { width: 50, height: 40, seed: 999 })
    await fs.promises.utimes(path.join(copy, imgChanged.relPath), future, future)
    // 2. only the sidecar: its import caption follows
    await fs.promises.writeFile(
      path.join(copy, sideChanged.rawFile!),
      'an updated tower caption\r\n'
    )
    await fs.promises.utimes(path.join(copy, sideChanged.rawFile!), future, future)
    // 3. the sidecar of an image whose caption a person has edited: raw follows, caption stays
    const w = openDatabase(c.libraryFile)
    const manualId = (
      w.prepare('SELECT id FROM images WHERE rel_path = ?').get(manualOne.relPath) as { id: number }
    ).id
    w.prepare(
      `UPDATE captions SET text = 'hand written', source = 'manual' WHERE image_id = ? AND lang = 'en'`
    ).run(manualId)
    w.close()
    await fs.promises.writeFile(path.join(copy, manualOne.rawFile!), 'a new raw caption tower\n')
    await fs.promises.utimes(path.join(copy, manualOne.rawFile!), future, future)

    const db = readOnly(c)
    const before = rowsByRel(db)
    const { started, job } = await importOnce(c, copy)
    expect(job.status).toBe('done')
    const worked = db
      .prepare(`SELECT key FROM job_items WHERE job_id = ? AND status != 'skipped' ORDER BY key`)
      .all(started.jobId)
      .map((r) => (r as { key: string }).key)
    expect(worked).toEqual(
      [imgChanged, sideChanged, manualOne].map((i) => path.join(copy, i.relPath)).sort()
    )
    const after = rowsByRel(db)
    expect(after.size).toBe(before.size)
    const a1 = after.get(imgChanged.relPath)!
    const b1 = before.get(imgChanged.relPath)!
    expect(a1.id).toBe(b1.id)
    expect([a1.width, a1.height]).toEqual([50, 40])
    expect(a1.sha256).not.toBe(b1.sha256)
    expect(a1.raw_caption).toBe(imgChanged.raw)

    const a2 = after.get(sideChanged.relPath)!
    expect(a2.raw_caption).toBe('an updated tower caption')
    expect(a2.sha256).toBe(before.get(sideChanged.relPath)!.sha256)
    const cap2 = db
      .prepare(`SELECT text, source FROM captions WHERE image_id = ? AND lang = 'en'`)
      .get(a2.id)
    expect(cap2).toEqual({ text: 'an updated tower caption', source: 'import' })

    expect(after.get(manualOne.relPath)!.raw_caption).toBe('a new raw caption tower')
    const cap3 = db
      .prepare(`SELECT text, source FROM captions WHERE image_id = ? AND lang = 'en'`)
      .get(manualId)
    expect(cap3).toEqual({ text: 'hand written', source: 'manual' })

    // Everything else is byte-for-byte the same row.
    for (const [rel, r] of before) {
      if ([imgChanged, sideChanged, manualOne].some((i) => i.relPath === rel)) continue
      expect(after.get(rel)).toEqual(r)
    }
  })

  it('cancel keeps the finished batches; importing again completes the rest', async () => {
    const c = await newCore()
    let started: { jobId: number } | null = null
    let cancelled = false
    const off = c.on('library.changed', (e) => {
      if (e.reason === 'import' && started && !cancelled) {
        cancelled = true
        void c.call('jobs.cancel', { id: started.jobId })
      }
    })
    started = await c.call('import.start', { dir: manifest.root })
    const job = await c.waitForJob(started.jobId)
    off()
    expect(job.status).toBe('cancelled')
    const db = readOnly(c)
    const finished = db
      .prepare(`SELECT count(*) AS n FROM job_items WHERE job_id = ? AND status != 'pending'`)
      .get(started.jobId) as { n: number }
    expect(finished.n).toBeGreaterThan(0)
    expect(finished.n).toBeLessThan(manifest.images.length)
    // exactly the finished items have rows
    expect(db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: finished.n })

    const again = await importOnce(c, manifest.root)
    expect(again.job.status).toBe('done')
    const skipped = db
      .prepare(`SELECT count(*) AS n FROM job_items WHERE job_id = ? AND status = 'skipped'`)
      .get(again.started.jobId)
    expect(skipped).toEqual({ n: finished.n })
    expect(db.prepare('SELECT count(*) AS n, count(DISTINCT path) AS d FROM images').get()).toEqual(
      {
        n: manifest.images.length,
        d: manifest.images.length
      }
    )
  })

  it('rejects a missing folder and a file with clear errors naming the path', async () => {
    const c = await newCore()
    const missing = path.join(fixtureDir, 'no such folder')
    await expect(c.call('import.start', { dir: missing })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(missing)
    })
    const file = path.join(manifest.root, 'notes.md')
    await expect(c.call('import.start', { dir: file })).rejects.toMatchObject({
      code: 'INVALID_ARGS',
      message: expect.stringContaining(file)
    })
  })

  it('imports into a named dataset, created when missing', async () => {
    const c = await newCore()
    const sub = path.join(manifest.root, '3_a_b')
    const r = await c.call('import.start', { dir: sub, datasetName: 'Dogs' })
    await c.waitForJob(r.jobId)
    const r2 = await c.call('import.start', {
      dir: path.join(manifest.root, '0_zero'),
      datasetName: 'dogs'
    })
    await c.waitForJob(r2.jobId)
    expect(r2.datasetId).toBe(r.datasetId)
    const db = readOnly(c)
    expect(db.prepare('SELECT name FROM datasets').all()).toEqual([{ name: 'Dogs' }])
    const n = db
      .prepare('SELECT count(*) AS n FROM images WHERE dataset_id = ?')
      .get(r.datasetId) as { n: number }
    expect(n.n).toBe(
      manifest.images.filter(
        (i) => i.relPath.startsWith('3_a_b/') || i.relPath.startsWith('0_zero/')
      ).length
    )
    // A kohya folder imported on its own keeps its concept and repeats; a plain one has none.
    const concepts = db
      .prepare(
        'SELECT root, concept, repeats, count(*) AS n FROM images GROUP BY 1, 2, 3 ORDER BY n DESC'
      )
      .all()
    expect(concepts).toEqual([
      { root: sub, concept: 'a_b', repeats: 3, n: 24 },
      { root: path.join(manifest.root, '0_zero'), concept: '', repeats: null, n: 8 }
    ])
  })
})
