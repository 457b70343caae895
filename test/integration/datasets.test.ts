/** Datasets, library counts and backups through createCore. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { SCHEMA_VERSION } from '../../src-main/core/db/migrations'
import { insertImage, seedLibrary } from '../db/helpers'

let dir: string
let core: Core
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-ds-'))
})
afterEach(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function seeded(fn: (db: Database.Database) => void): Core {
  const db = openDatabase(path.join(dir, 'library.sqlite'))
  fn(db)
  closeDatabase(db)
  return createCore({ dataDir: dir, actor: 'tester' })
}

describe('datasets', () => {
  it('create, get by id or name (case-insensitive), rename, conflicts', async () => {
    core = createCore({ dataDir: dir })
    const a = await core.call('datasets.create', { name: '  Landmarks ' })
    expect(a).toMatchObject({
      name: 'Landmarks',
      images: 0,
      errors: 0,
      captioned: { zh: 0, en: 0 }
    })
    expect(a.byStatus).toEqual({ unreviewed: 0, approved: 0, rejected: 0, 'needs-work': 0 })
    await expect(core.call('datasets.create', { name: 'landmarks' })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    expect(await core.call('datasets.get', { id: a.id })).toEqual(a)
    expect(await core.call('datasets.get', { name: 'LANDMARKS' })).toEqual(a)
    await expect(core.call('datasets.get', {})).rejects.toMatchObject({ code: 'INVALID_ARGS' })
    await expect(core.call('datasets.get', { id: 99 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(core.call('datasets.get', { name: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    const b = await core.call('datasets.create', { name: '美食' })
    await expect(
      core.call('datasets.rename', { id: b.id, name: 'LANDMARKS' })
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await core.call('datasets.rename', { id: a.id, name: 'landmarks' })).toMatchObject({
      id: a.id,
      name: 'landmarks'
    })
    await expect(core.call('datasets.rename', { id: 42, name: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    expect((await core.call('datasets.list', {})).map((d) => d.name)).toEqual(['landmarks', '美食'])
  })

  it('counts images, errors, statuses and captions per dataset', async () => {
    let ds1 = 0
    let ds2 = 0
    core = seeded((db) => {
      ;[ds1, ds2] = seedLibrary(db, { datasets: 2, imagesPerDataset: 300 }).datasetIds as [
        number,
        number
      ]
      insertImage(db, ds2, {
        fileName: 'e.jpg',
        width: null,
        height: null,
        error: 'zero bytes',
        status: 'approved'
      })
    })
    const list = await core.call('datasets.list', {})
    const r = new Database(path.join(dir, 'library.sqlite'), { readonly: true })
    for (const d of list) {
      const q = (sql: string) => (r.prepare(sql).get(d.id) as { n: number }).n
      expect(d.images).toBe(q('SELECT count(*) AS n FROM images WHERE dataset_id = ?'))
      expect(d.errors).toBe(
        q('SELECT count(*) AS n FROM images WHERE dataset_id = ? AND error IS NOT NULL')
      )
      for (const s of ['unreviewed', 'approved', 'rejected', 'needs-work'] as const)
        expect(d.byStatus[s]).toBe(
          q(
            `SELECT count(*) AS n FROM images WHERE dataset_id = ? AND error IS NULL AND status = '${s}'`
          )
        )
      for (const l of ['zh', 'en'] as const)
        expect(d.captioned[l]).toBe(
          q(
            `SELECT count(*) AS n FROM captions c JOIN images i ON i.id = c.image_id WHERE i.dataset_id = ? AND c.lang = '${l}' AND c.text != ''`
          )
        )
      expect(d.errors).toBeGreaterThan(0)
      expect(d.captioned.zh).toBeGreaterThan(100)
    }
    const concepts = await core.call('datasets.concepts', { datasetId: ds1 })
    expect(concepts.reduce((n, c) => n + c.count, 0)).toBe(300)
    expect(concepts).toContainEqual(expect.objectContaining({ concept: '橘猫', repeats: 5 }))
    const stats = await core.call('library.stats', {})
    expect(stats.images).toBe(601)
    expect(stats.datasets).toBe(2)
    expect(stats.errors).toBe(list[0]!.errors + list[1]!.errors)
    expect(stats.tags).toBe(
      (r.prepare('SELECT count(DISTINCT tag) AS n FROM tags').get() as { n: number }).n
    )
    expect(stats.bytes).toBe(
      (r.prepare('SELECT sum(bytes) AS n FROM images').get() as { n: number }).n
    )
    const one = await core.call('library.stats', { datasetId: ds2 })
    expect(one.images).toBe(301)
    await expect(core.call('library.stats', { datasetId: 999 })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    r.close()
  })
})

describe('library', () => {
  it('info names the file, schema and SQLite version', async () => {
    core = createCore({ dataDir: dir })
    expect(await core.call('library.info', {})).toMatchObject({
      file: path.join(dir, 'library.sqlite'),
      dataDir: dir,
      schemaVersion: SCHEMA_VERSION,
      sqliteVersion: expect.stringMatching(/^3\.\d+\.\d+$/)
    })
  })

  it('backup writes a consistent copy that opens and holds the data, then applies retention', async () => {
    core = seeded((db) => {
      seedLibrary(db, { imagesPerDataset: 200 })
    })
    const backupDir = path.join(dir, 'backups')
    fs.mkdirSync(backupDir)
    // 12 old backups from last month: only the newest ones survive retention
    for (let i = 0; i < 12; i++) {
      const t = new Date(Date.now() - 30 * 86_400_000 - i * 3_600_000)
      const stamp = t.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-')
      fs.writeFileSync(path.join(backupDir, `library-${stamp}`.replace(/Z$/, 'Z.sqlite')), 'old')
    }
    fs.writeFileSync(path.join(backupDir, 'README.txt'), 'not a backup')
    const res = await core.call('library.backup', {})
    expect(path.dirname(res.file)).toBe(backupDir)
    expect(res.kept).toBe(10)
    expect(res.removed).toHaveLength(3)
    for (const f of res.removed) expect(fs.existsSync(f)).toBe(false)
    expect(fs.existsSync(path.join(backupDir, 'README.txt'))).toBe(true)
    const copy = new Database(res.file, { readonly: true })
    expect((copy.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n).toBe(200)
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(copy.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    copy.close()
    expect(fs.readdirSync(backupDir).some((n) => n.endsWith('.partial'))).toBe(false)
  })
})
