/**
 * The search indexes after a large bulk job (jobs/bulk.ts merges the FTS5 indexes itself between
 * slices and checkpoints the WAL): every rewritten caption is found by search, each index passes
 * FTS5's own integrity check, the merge settings of migration 0009 are what the file holds
 * afterwards, and undo brings search back to what it found before.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { FTS_AUTOMERGE, FTS_CRISISMERGE } from '../../src-main/core/db/migrations/0009-fts-merge'
import type { BulkOp } from '../../src-main/shared/api'
import { seedLibrary } from '../db/helpers'

let dir: string
let file: string
let core: Core
let ds: number

const op: BulkOp = {
  kind: 'replace',
  find: '(一只|一位)',
  replace: '$1【改】',
  regex: true,
  caseInsensitive: false,
  widthInsensitive: false,
  langs: ['zh', 'en'],
  source: 'caption'
}

function inspect() {
  const db = openDatabase(file)
  try {
    for (const t of ['image_fts', 'image_cjk'])
      db.exec(`INSERT INTO ${t} (${t}, rank) VALUES ('integrity-check', 1)`)
    const options = (t: string) =>
      Object.fromEntries(
        (db.prepare(`SELECT k, v FROM ${t}_config`).all() as { k: string; v: number }[]).map(
          (r) => [r.k, r.v]
        )
      )
    return {
      fts: options('image_fts'),
      cjk: options('image_cjk'),
      marked: db
        .prepare(
          `SELECT COUNT(DISTINCT image_id) FROM captions WHERE lang = 'zh' AND text LIKE '%【改】%'`
        )
        .pluck()
        .get() as number
    }
  } finally {
    closeDatabase(db)
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-bulk-index-'))
  file = path.join(dir, 'library.sqlite')
  const db = openDatabase(file)
  seedLibrary(db, { datasets: 1, imagesPerDataset: 4000, seed: 5 })
  closeDatabase(db)
  core = createCore({ dataDir: dir, libraryFile: file, actor: 'tester' })
  ds = (await core.call('datasets.list', {}))[0]!.id
})

afterAll(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('search indexes through a large bulk job', () => {
  it('finds every rewritten caption, stays intact, and keeps its merge settings', async () => {
    const search = async (q: string) =>
      (await core.call('images.page', { filter: { datasetId: ds, search: q } })).total
    const before = {
      one: await search('一只'),
      mark: await search('【改】'),
      cjk: await search('改')
    }
    expect(before.one).toBeGreaterThan(0)
    expect(before.mark).toBe(0)

    const r = await core.call('bulk.apply', { selection: { datasetId: ds, filter: {} }, op })
    expect(r.jobId).not.toBeNull()
    expect(await core.waitForJob(r.jobId!)).toMatchObject({ status: 'done', total: 4000 })

    await core.close()
    const after = inspect()
    expect(after.fts).toMatchObject({ automerge: FTS_AUTOMERGE, crisismerge: FTS_CRISISMERGE })
    expect(after.cjk).toMatchObject({ automerge: FTS_AUTOMERGE, crisismerge: FTS_CRISISMERGE })
    expect(after.marked).toBeGreaterThan(0)

    core = createCore({ dataDir: dir, libraryFile: file, actor: 'tester' })
    // the trigram index (3+ characters) and the CJK index (1–2 characters) both see the new text
    expect(await search('【改】')).toBeGreaterThanOrEqual(after.marked)
    expect(await search('改')).toBeGreaterThanOrEqual(after.marked)

    const undo = await core.call('history.undo', {})
    expect(undo).not.toBeNull()
    if (undo?.jobId !== undefined) await core.waitForJob(undo.jobId)
    expect(await search('【改】')).toBe(0)
    expect(await search('一只')).toBe(before.one)
    expect(await search('改')).toBe(before.cjk)
  }, 120_000)
})
