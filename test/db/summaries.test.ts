/**
 * The kept summaries (migration 0012) against a full recount. A seeded library (two datasets
 * over BULK_SYNC_LIMIT, so bulk operations run as time-sliced jobs) goes through real operations
 * through createCore — a folder import, caption and tag edits, status changes, every bulk
 * operation kind (status, replace, tags, concept, move, delete), tag rename and merge, dupes
 * rejection, dataset delete, and undo/redo of all of it — and after each one every summary row
 * (per-dataset counts, concepts, tag counts, caption-length bins, size counts) and every call
 * that reads them (datasets.list/get/concepts, library.stats, stats.*) must equal a recount from
 * the images, captions and tags themselves.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { CAPTION_BUDGETS, CAPTION_HIST } from '../../src-main/core/db/migrations/0012-summaries'
import { closeDatabase, openDatabase, registerFunctions } from '../../src-main/core/db/open'
import type { Args, BulkApplyResult, Events, ReviewStatus } from '../../src-main/shared/api'
import { makeImportFolder } from '../fixtures/folders'
import { insertImage, seedLibrary } from './helpers'

const STATUSES: ReviewStatus[] = ['unreviewed', 'approved', 'rejected', 'needs-work']

let dir: string
let file: string
let core: Core
let a: number
let b: number

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-summaries-'))
  file = path.join(dir, 'library.sqlite')
  const db = openDatabase(file)
  const seeded = seedLibrary(db, { datasets: 2, imagesPerDataset: 1500, seed: 5 })
  ;[a, b] = seeded.datasetIds as [number, number]
  // rows the seeder does not make: NULL repeats, an error row with a status, a zero size
  db.transaction(() => {
    insertImage(db, a, { fileName: 'odd1.png', repeats: null, concept: 'odd', width: 0 })
    insertImage(db, a, {
      fileName: 'odd2.png',
      error: 'broken',
      status: 'rejected',
      width: null,
      height: null
    })
  })()
  closeDatabase(db)
  core = createCore({ dataDir: dir, libraryFile: file, actor: 'summaries' })
  core.on('library.changed', (e) => events.push(e))
}, 120_000)

const events: Events['library.changed'][] = []

afterAll(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function reader(): Database.Database {
  const r = new Database(file, { readonly: true })
  registerFunctions(r)
  return r
}

type Row = Record<string, unknown>
const sorted = (rows: Row[]) =>
  rows.map((r) => JSON.stringify(r)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))

/** Every summary table against the same figures counted from the data. */
function checkTables(): void {
  const r = reader()
  try {
    const st = (s: string) => s.replace('-', '_')
    const pairs: [string, string, string][] = [
      [
        'dataset_stats',
        `SELECT dataset_id, images, errors, bytes, tagged, cap_zh, cap_en, empty_zh, empty_en,
                ${STATUSES.map((s) => `st_${st(s)}, er_${st(s)}`).join(', ')} FROM dataset_stats`,
        `SELECT d.id AS dataset_id, count(i.id) AS images, count(i.error) AS errors,
                IFNULL(sum(i.bytes), 0) AS bytes, IFNULL(sum(i.tags_text <> ''), 0) AS tagged,
                (SELECT count(*) FROM captions c JOIN images x ON x.id = c.image_id
                  WHERE x.dataset_id = d.id AND c.lang = 'zh' AND c.text <> '') AS cap_zh,
                (SELECT count(*) FROM captions c JOIN images x ON x.id = c.image_id
                  WHERE x.dataset_id = d.id AND c.lang = 'en' AND c.text <> '') AS cap_en,
                (SELECT count(*) FROM captions c JOIN images x ON x.id = c.image_id
                  WHERE x.dataset_id = d.id AND c.lang = 'zh' AND c.text = '') AS empty_zh,
                (SELECT count(*) FROM captions c JOIN images x ON x.id = c.image_id
                  WHERE x.dataset_id = d.id AND c.lang = 'en' AND c.text = '') AS empty_en,
                ${STATUSES.map(
                  (s) => `IFNULL(sum(i.status = '${s}'), 0) AS st_${st(s)},
                  IFNULL(sum(i.error IS NOT NULL AND i.status = '${s}'), 0) AS er_${st(s)}`
                ).join(', ')}
           FROM datasets d LEFT JOIN images i ON i.dataset_id = d.id GROUP BY d.id`
      ],
      [
        'dataset_concepts',
        'SELECT dataset_id, concept, repeats, n FROM dataset_concepts WHERE n > 0',
        'SELECT dataset_id, concept, repeats, count(*) AS n FROM images GROUP BY 1, 2, 3'
      ],
      [
        'tag_counts',
        'SELECT dataset_id, tag, n FROM tag_counts WHERE n > 0',
        `SELECT i.dataset_id, t.tag, count(*) AS n FROM tags t JOIN images i ON i.id = t.image_id
          GROUP BY 1, 2`
      ],
      [
        'caption_bins',
        'SELECT dataset_id, lang, cb, kb, mb, co, mo, n FROM caption_bins WHERE n > 0',
        `SELECT dataset_id, lang, cb, kb, mb, co, mo, count(*) AS n FROM (
           SELECT i.dataset_id, c.lang,
                  MIN(CAST(glossa_text_size(c.text, 'chars') AS INTEGER) / ${CAPTION_HIST.chars.width}, ${CAPTION_HIST.chars.bins - 1}) AS cb,
                  MIN(CAST(glossa_text_size(c.text, 'clip') AS INTEGER) / ${CAPTION_HIST.clip.width}, ${CAPTION_HIST.clip.bins - 1}) AS kb,
                  MIN(CAST(glossa_text_size(c.text, 'mt5') AS INTEGER) / ${CAPTION_HIST.mt5.width}, ${CAPTION_HIST.mt5.bins - 1}) AS mb,
                  CAST(glossa_text_size(c.text, 'clip') AS INTEGER) > ${CAPTION_BUDGETS.clip} AS co,
                  CAST(glossa_text_size(c.text, 'mt5') AS INTEGER) > ${CAPTION_BUDGETS.mt5} AS mo
             FROM captions c JOIN images i ON i.id = c.image_id WHERE c.text <> '')
          GROUP BY 1, 2, 3, 4, 5, 6, 7`
      ],
      [
        'size_counts',
        'SELECT dataset_id, width, height, n, weighted FROM size_counts WHERE n > 0',
        `SELECT dataset_id, width, height, count(*) AS n, sum(IFNULL(repeats, 1)) AS weighted
           FROM images WHERE width > 0 AND height > 0 GROUP BY 1, 2, 3`
      ]
    ]
    for (const [name, kept, recount] of pairs)
      expect(sorted(r.prepare(kept).all() as Row[]), name).toEqual(
        sorted(r.prepare(recount).all() as Row[])
      )
    // no summary row outlives its dataset
    for (const t of [
      'dataset_stats',
      'dataset_concepts',
      'tag_counts',
      'caption_bins',
      'size_counts'
    ])
      expect(
        r
          .prepare(
            `SELECT count(*) AS n FROM ${t} WHERE dataset_id NOT IN (SELECT id FROM datasets)`
          )
          .get(),
        t
      ).toEqual({ n: 0 })
  } finally {
    r.close()
  }
}

/** The calls that read the summaries, against the same figures counted from the rows. */
async function checkCalls(): Promise<void> {
  const r = reader()
  try {
    const list = await core.call('datasets.list', {})
    const stats = await core.call('library.stats', {})
    expect(stats.datasets).toBe(list.length)
    expect(stats.images).toEqual((r.prepare('SELECT count(*) AS n FROM images').get() as Row).n)
    expect(stats.tags).toEqual(
      (r.prepare('SELECT count(DISTINCT tag) AS n FROM tags').get() as Row).n
    )
    for (const d of list) {
      const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0]))
      for (const row of r
        .prepare(
          'SELECT status, count(*) AS n FROM images WHERE dataset_id = ? AND error IS NULL GROUP BY status'
        )
        .all(d.id) as { status: string; n: number }[])
        byStatus[row.status] = row.n
      expect(d.byStatus, d.name).toEqual(byStatus)
      expect(await core.call('datasets.get', { id: d.id })).toEqual(d)
      // the grid's total as it opens (the kept count) and under a filter (a COUNT) agree
      const page = (filter: object) =>
        core.call('images.page', { filter, limit: 1, withTotal: true }).then((p) => p.total)
      expect(await page({ datasetId: d.id })).toBe(d.images)
      expect(await page({ datasetId: d.id, status: STATUSES })).toBe(d.images)
      expect(await core.call('datasets.concepts', { datasetId: d.id })).toEqual(
        r
          .prepare(
            `SELECT concept, repeats, count(*) AS count FROM images WHERE dataset_id = ?
              GROUP BY concept, repeats ORDER BY concept, repeats`
          )
          .all(d.id)
      )
      const ds = await core.call('library.stats', { datasetId: d.id })
      expect(ds.images).toBe(d.images)
      expect(ds.tags).toEqual(
        (
          r
            .prepare(
              'SELECT count(DISTINCT t.tag) AS n FROM tags t JOIN images i ON i.id = t.image_id WHERE i.dataset_id = ?'
            )
            .get(d.id) as Row
        ).n
      )
      // the dashboard's figures for a dataset read the kept rows; a filter that adds nothing
      // but a dataset-wide condition (every status) reads the images: both must agree
      const kept = { datasetId: d.id }
      const scanned = { datasetId: d.id, status: STATUSES }
      const tagsKept = await core.call('stats.tags', { filter: kept, top: 1000 })
      const tagsScan = await core.call('stats.tags', { filter: scanned, top: 1000 })
      expect({ ...tagsKept, top: sorted(tagsKept.top as unknown as Row[]) }).toEqual({
        ...tagsScan,
        top: sorted(tagsScan.top as unknown as Row[])
      })
      expect(await core.call('stats.captionLengths', { filter: kept })).toEqual(
        await core.call('stats.captionLengths', { filter: scanned })
      )
      expect(await core.call('stats.resolution', { filter: kept })).toEqual(
        await core.call('stats.resolution', { filter: scanned })
      )
      const bucket = { resolution: [1024, 1024] as [number, number] }
      expect(await core.call('stats.buckets', { filter: kept, ...bucket })).toEqual(
        await core.call('stats.buckets', { filter: scanned, ...bucket })
      )
      expect((await core.call('stats.review', { filter: kept })).byStatus).toEqual(
        (await core.call('stats.review', { filter: scanned })).byStatus
      )
    }
  } finally {
    r.close()
  }
}

/** The name index (migration 0013) holds exactly the images' paths: FTS5 checks its index
 *  against the content table itself (integrity-check with rank 1). */
function checkNameIndex(): void {
  const w = new Database(file)
  try {
    w.prepare(`INSERT INTO image_names (image_names, rank) VALUES ('integrity-check', 1)`).run()
  } finally {
    w.close()
  }
}

async function check(): Promise<void> {
  checkTables()
  checkNameIndex()
  await checkCalls()
}

async function bulk(selection: Args<'bulk.apply'>['selection'], op: Args<'bulk.apply'>['op']) {
  const res: BulkApplyResult = await core.call('bulk.apply', { selection, op })
  if (res.jobId !== null) expect((await core.waitForJob(res.jobId)).status).toBe('done')
  return res
}

async function undo(): Promise<void> {
  const res = await core.call('history.undo', {})
  if (res && 'jobId' in res && typeof res.jobId === 'number') await core.waitForJob(res.jobId)
}
async function redo(): Promise<void> {
  const res = await core.call('history.redo', {})
  if (res && 'jobId' in res && typeof res.jobId === 'number') await core.waitForJob(res.jobId)
}

function someIds(datasetId: number, n: number, offset = 0): number[] {
  const r = reader()
  try {
    return r
      .prepare(
        'SELECT id FROM images WHERE dataset_id = ? AND error IS NULL ORDER BY id LIMIT ? OFFSET ?'
      )
      .pluck()
      .all(datasetId, n, offset) as number[]
  } finally {
    r.close()
  }
}

describe('kept summaries equal a full recount', () => {
  it('after seeding (the rebuild) and a folder import', async () => {
    await check()
    const root = path.join(dir, 'folder')
    fs.mkdirSync(root)
    await makeImportFolder(root)
    const started = await core.call('import.start', { dir: root, datasetName: 'imported' })
    expect((await core.waitForJob(started.jobId)).status).toBe('done')
    await check()
    // importing again changes nothing
    const again = await core.call('import.start', { dir: root, datasetId: started.datasetId })
    await core.waitForJob(again.jobId)
    await check()
  }, 120_000)

  it('after single edits of captions, tags and statuses, and their undo', async () => {
    const [x, y, z] = someIds(a, 3)
    events.length = 0
    await core.call('captions.setText', { imageId: x!, lang: 'zh', text: '一只橘猫'.repeat(40) })
    // the event says which dataset and which kind of data changed
    expect(events.at(-1)).toMatchObject({
      datasetId: a,
      datasetIds: [a],
      imageIds: [x],
      kinds: ['captions']
    })
    await core.call('captions.setText', { imageId: y!, lang: 'en', text: '' })
    await core.call('captions.setText', { imageId: z!, lang: 'en', text: 'a brand new caption' })
    await core.call('captions.setTags', {
      imageId: x!,
      tags: ['new_tag', 'cat', 'cat2'].map((tag) => ({ tag }))
    })
    await core.call('captions.setTags', { imageId: y!, tags: [] })
    await core.call('images.setStatus', { ids: [x!, y!, z!], status: 'approved' })
    expect(events.at(-1)).toMatchObject({ datasetIds: [a], kinds: ['status'] })
    await check()
    for (let i = 0; i < 6; i++) await undo()
    await check()
    for (let i = 0; i < 3; i++) await redo()
    await check()
  }, 120_000)

  it('after every bulk operation (as jobs over a whole dataset, and synchronously), and undo', async () => {
    const all = { datasetId: a, filter: { datasetId: a } }
    await bulk(all, { kind: 'status', status: 'needs-work' })
    await check()
    await bulk(all, { kind: 'replace', find: '广州塔', replace: '一座很高很高很高的塔' })
    await bulk(all, { kind: 'tags.add', tags: ['bulk_added'], position: 'start' })
    await bulk(all, { kind: 'tags.rename', from: 'cat', to: 'feline' })
    await bulk(all, { kind: 'tags.remove', tags: ['sky'] })
    await bulk(all, { kind: 'concept', concept: 'renamed', repeats: 3 })
    await bulk(all, { kind: 'trigger', word: 'sks', tags: true })
    await check()
    events.length = 0
    await bulk({ ids: someIds(b, 50) }, { kind: 'move', datasetId: a })
    // a move names both datasets
    expect(events.at(-1)).toMatchObject({ datasetId: null, datasetIds: [a, b].sort() })
    expect(events.at(-1)!.kinds).toEqual(expect.arrayContaining(['images', 'datasets']))
    await bulk({ ids: someIds(b, 20, 100) }, { kind: 'delete' })
    await bulk({ ids: someIds(b, 30, 200) }, { kind: 'concept', repeats: null })
    await core.call('tags.rename', { from: 'solo', to: 'alone' })
    await core.call('tags.merge', { tags: ['night', 'sky'], into: 'dark', datasetId: b })
    const ids = someIds(b, 4, 300)
    await core.call('dupes.keep', { keep: [ids[0]!], others: ids.slice(1), action: 'reject' })
    await core.call('dupes.keep', { keep: [ids[0]!], others: ids.slice(1), action: 'delete' })
    await check()
    for (let i = 0; i < 14; i++) await undo()
    await check()
    // undo says what it reverted (the last undone batch was the status change over dataset a)
    expect(events.at(-1)).toMatchObject({ datasetIds: [a], kinds: ['status'] })
  }, 300_000)

  it('after deleting datasets (as a job and synchronously) and undoing that', async () => {
    const small = await core.call('datasets.create', { name: 'small' })
    const r0 = await core.call('datasets.delete', { id: small.id })
    expect(r0.jobId).toBeNull()
    const del = await core.call('datasets.delete', { id: b })
    if (del.jobId !== null) await core.waitForJob(del.jobId)
    await check()
    await undo()
    await check()
    await undo()
    await check()
  }, 300_000)
})
