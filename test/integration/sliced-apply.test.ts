/**
 * Caption-wide applies that answer their call when done (cleanup.apply, glossary.apply,
 * captions.convertScript) write ONE undoable batch in many short transactions (review/sliced.ts):
 * the core answers page reads while the batch grows (another connection sees it partly written
 * while the call is still pending), the result counts every changed image, a single history
 * entry holds them all, and undo restores every caption byte for byte — also with a 'bulk' job
 * and a script conversion written at the same time. The connection's automatic WAL checkpoint,
 * off while sliced writers run, comes back only when the last of them ends.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import type { Events } from '../../src-main/shared/api'
import { IndexUpkeep } from '../../src-main/core/review/sliced'
import { seedLibrary } from '../db/helpers'

const N = 3000

const dirs: string[] = []
const cores: Core[] = []
afterAll(async () => {
  for (const c of cores) await c.close()
  for (const d of dirs) await fs.promises.rm(d, { recursive: true, force: true })
})

async function seeded(): Promise<{ dir: string; file: string; ds: number }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-sliced-'))
  dirs.push(dir)
  const file = path.join(dir, 'library.sqlite')
  const db = openDatabase(file)
  const ds = seedLibrary(db, { datasets: 1, imagesPerDataset: N, seed: 31 }).datasetIds[0]!
  closeDatabase(db)
  return { dir, file, ds }
}

function reader(file: string): Database.Database {
  const db = new Database(file, { readonly: true })
  db.pragma('busy_timeout = 5000')
  return db
}

function captions(file: string): string {
  const db = reader(file)
  try {
    return JSON.stringify(
      db
        .prepare(
          'SELECT image_id, lang, text, fields, source FROM captions ORDER BY image_id, lang'
        )
        .raw()
        .all()
    )
  } finally {
    db.close()
  }
}

describe('caption-wide applies in short transactions', () => {
  it('cleanup.apply: one batch written slice by slice while reads are answered; undo is byte-exact', async () => {
    const { dir, file, ds } = await seeded()
    const core = createCore({ dataDir: dir, actor: 'sliced-tester' })
    cores.push(core)
    const original = captions(file)
    const bare = reader(file)
    const entries = bare.prepare(
      "SELECT count(*) FROM journal_entries WHERE batch_id IN (SELECT id FROM journal_batches WHERE label LIKE 'Clean%')"
    )
    const withText = (
      bare
        .prepare(
          "SELECT count(DISTINCT image_id) AS n FROM captions WHERE lang = 'en' AND text <> ''"
        )
        .get() as { n: number }
    ).n
    expect(withText).toBeGreaterThan(N / 2)
    const events: Events['library.changed'][] = []
    core.on('library.changed', (e) => events.push(e))

    let done = false
    const applying = core
      .call('cleanup.apply', {
        target: { datasetId: ds },
        userRules: [{ id: 'mark', find: '^(.)', replace: '※ $1', regex: true, fields: ['en'] }]
      })
      .then((r) => ((done = true), r))
    // page reads while it runs; another connection sees the batch partly written meanwhile
    const partial: number[] = []
    let pages = 0
    while (!done) {
      const page = await core.call('images.page', { filter: { datasetId: ds }, limit: 50 })
      expect(page.rows.length).toBe(50)
      pages++
      const n = entries.pluck().get() as number
      if (!done && n > 0) partial.push(n)
      // a macrotask turn, as a request from outside would take (the apply yields with setImmediate)
      await new Promise((r) => setImmediate(r))
    }
    const result = await applying
    expect(result.changed).toBe(withText)
    expect(result.batchId).toEqual(expect.any(Number))
    const total = entries.pluck().get() as number
    expect(total).toBe(withText)
    expect(partial.some((n) => n < total)).toBe(true)
    expect(pages).toBeGreaterThan(1)
    // ONE history entry holds every change
    const [top] = await core.call('history.list', { limit: 1 })
    expect(top).toMatchObject({ id: result.batchId, items: total })
    expect(
      bare.prepare('SELECT count(*) FROM journal_batches WHERE id >= ?').pluck().get(result.batchId)
    ).toBe(1)
    // change events were passed on, not one per slice
    const mine = events.filter((e) => e.reason === top!.label)
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.every((e) => e.kinds?.includes('captions'))).toBe(true)
    expect(captions(file)).not.toBe(original)

    // a bulk job and a script conversion (a caption batch, sliced too) at the same time
    const job = await core.call('bulk.apply', {
      selection: { datasetId: ds, filter: {} },
      op: {
        kind: 'replace',
        find: '※ ',
        replace: '',
        regex: false,
        caseInsensitive: false,
        widthInsensitive: false,
        langs: ['en'],
        source: 'caption'
      }
    })
    const converting = core.call('captions.convertScript', {
      target: { datasetId: ds },
      lang: 'zh',
      to: 'traditional'
    })
    expect((await core.waitForJob(job.jobId!)).status).toBe('done')
    const converted = await converting
    expect(converted.changed).toBeGreaterThan(0)
    bare.close()

    // undo the three batches (newest first): every caption comes back byte for byte
    for (let i = 0; i < 3; i++) {
      const u = await core.call('history.undo', {})
      if (u?.jobId) expect((await core.waitForJob(u.jobId)).status).toBe('done')
    }
    expect(captions(file)).toBe(original)
  }, 120_000)

  it('puts the automatic WAL checkpoint back only when the last sliced writer on a connection ends', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-sliced-'))
    dirs.push(dir)
    const db = openDatabase(path.join(dir, 'library.sqlite'))
    try {
      const setting = () => db.pragma('wal_autocheckpoint', { simple: true }) as number
      const before = setting()
      expect(before).toBeGreaterThan(0)
      const a = new IndexUpkeep(db)
      const b = new IndexUpkeep(db)
      expect(setting()).toBe(0)
      a.end()
      a.end() // twice: counted once
      expect(setting()).toBe(0)
      b.end()
      expect(setting()).toBe(before)
    } finally {
      closeDatabase(db)
    }
  })
})
