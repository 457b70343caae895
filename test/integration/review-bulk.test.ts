/**
 * Review at scale: selections as queries and bulk operations through createCore on a seeded
 * 20,000-image library. "Select all" under a filter covers every matching image (not a page);
 * a regex replace over thousands of captions previews the right counts and diffs, applies as a
 * 'bulk' job with progress that lands as ONE journal batch, and undo restores every byte. Every
 * operation kind is applied and undone with the whole library (images, captions, tags, search
 * index) compared byte for byte; delete + undo restores the rows.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import type { Args, BulkOp, JobProgress, Selection } from '../../src-main/shared/api'
import { insertImage, seedLibrary } from '../db/helpers'

let dir: string
let core: Core
let ds: number
let other: number
let crafted: number[]
const progress: JobProgress[] = []

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-bulk-'))
  const db = openDatabase(path.join(dir, 'library.sqlite'))
  const seeded = seedLibrary(db, { datasets: 2, imagesPerDataset: 10_000, seed: 11 })
  ds = seeded.datasetIds[0]!
  other = seeded.datasetIds[1]!
  const craftedSet = Number(
    db.prepare("INSERT INTO datasets (name, created_at) VALUES ('crafted', 1)").run()
      .lastInsertRowid
  )
  crafted = db.transaction(() => [
    insertImage(db, craftedSet, {
      fileName: 'w1.png',
      zh: '（广州塔）在夜里ＡＢＣ',
      en: 'The Tower, the TOWER and the tower',
      raw: 'RAW text: a tower',
      tags: ['tower', 'night', 'sky']
    }),
    insertImage(db, craftedSet, {
      fileName: 'w2.png',
      zh: '(广州塔)白天abc',
      en: 'no match here',
      raw: null,
      tags: ['sky']
    })
  ])()
  // the same file as w2, already in the other dataset: moving w2 there is a conflict
  insertImage(db, other, { fileName: 'w2.png', path: `/seed/${craftedSet}/w2.png` })
  closeDatabase(db)
  core = createCore({ dataDir: dir, actor: 'bulk-tester' })
  core.on('job.progress', (p) => progress.push(p))
}, 60_000)

afterAll(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function reader(): Db {
  return new Database(path.join(dir, 'library.sqlite'), { readonly: true })
}

/** A digest of everything a bulk operation may touch, byte for byte. */
function dump(): string {
  const r = reader()
  try {
    const h = createHash('sha256')
    for (const sql of [
      'SELECT * FROM images ORDER BY id',
      'SELECT image_id, lang, hex(text), fields, source, updated_at, updated_by FROM captions ORDER BY image_id, lang',
      'SELECT image_id, position, tag, score, source FROM tags ORDER BY image_id, position',
      'SELECT rowid, hex(zh), hex(en), hex(raw), tags FROM image_fts ORDER BY rowid',
      'SELECT rowid, body FROM image_cjk ORDER BY rowid'
    ]) {
      let n = 0
      for (const row of r.prepare(sql).raw().iterate()) {
        h.update(JSON.stringify(row))
        n++
      }
      h.update(`#${n}\n`)
    }
    return h.digest('hex')
  } finally {
    r.close()
  }
}

async function batchIds(): Promise<number[]> {
  return (await core.call('history.list', { limit: 500 })).map((b) => b.id)
}

/** Undo/redo; a large batch is undone by an 'undo' job: wait for it, then read the batch back. */
async function history(dir: 'undo' | 'redo') {
  const b = await core.call(dir === 'undo' ? 'history.undo' : 'history.redo', {})
  if (b?.jobId === undefined) return b
  expect((await core.waitForJob(b.jobId)).status).toBe('done')
  return (await core.call('history.list', { limit: 500 })).find((x) => x.id === b.id)
}

/** Applies (waiting for the job if one was started) and returns the new batch ids. */
async function apply(args: Args<'bulk.apply'>) {
  const before = await batchIds()
  const res = await core.call('bulk.apply', args)
  if (res.jobId !== null) expect((await core.waitForJob(res.jobId)).status).toBe('done')
  const after = await batchIds()
  return { res, added: after.filter((id) => !before.includes(id)) }
}

describe('selection as a query', () => {
  it('select all under a filter counts every matching image, with include/exclude', async () => {
    const filter = { status: ['approved' as const], missing: 'en' as const }
    const page = await core.call('images.page', { filter: { ...filter, datasetId: ds }, limit: 10 })
    const all = await core.call('selection.count', { selection: { datasetId: ds, filter } })
    expect(page.rows.length).toBe(10)
    expect(all.count).toBe(page.total)
    expect(all.count).toBeGreaterThan(100)
    const exclude = page.rows.slice(0, 3).map((r) => r.id)
    const include = [crafted[0]!]
    const picked = await core.call('selection.count', {
      selection: { datasetId: ds, filter, exclude, include }
    })
    expect(picked.count).toBe(all.count - 3 + 1)
    expect(
      (await core.call('selection.count', { selection: { ids: [crafted[0]!, 99_999_999] } })).count
    ).toBe(1)
  })
})

describe('regex replace over a filtered selection (job path)', () => {
  it('previews the right counts, lands as one batch with progress, and undo is byte-exact', async () => {
    const selection: Selection = { datasetId: ds, filter: { status: ['unreviewed'] } }
    const op: Args<'bulk.apply'>['op'] = {
      kind: 'replace',
      find: '^(.+?)(，|, )',
      replace: '$1 | ',
      regex: true,
      langs: ['zh', 'en']
    }
    // expected, computed independently from the rows
    const r = reader()
    const rows = r
      .prepare(
        `SELECT i.id, z.text AS zh, e.text AS en FROM images i
           LEFT JOIN captions z ON z.image_id = i.id AND z.lang = 'zh'
           LEFT JOIN captions e ON e.image_id = i.id AND e.lang = 'en'
          WHERE i.dataset_id = ? AND i.status = 'unreviewed' ORDER BY i.id`
      )
      .all(ds) as { id: number; zh: string | null; en: string | null }[]
    r.close()
    const re = /^(.+?)(，|, )/gu
    const expected = new Map<string, string>()
    const changedImages = new Set<number>()
    for (const row of rows)
      for (const lang of ['zh', 'en'] as const) {
        const text = row[lang]
        if (text === null) continue
        const out = text.replace(re, '$1 | ')
        if (out !== text) {
          expected.set(`${row.id}:${lang}`, out)
          changedImages.add(row.id)
        }
      }
    expect(rows.length).toBeGreaterThan(5000)
    expect(expected.size).toBeGreaterThan(6000)

    const preview = await core.call('bulk.preview', { selection, op, limit: 200 })
    expect(preview.count).toBe(rows.length)
    expect(preview.changed).toBe(changedImages.size)
    expect(preview.samples).toHaveLength(200)
    expect(preview.truncated).toBe(true)
    for (const s of preview.samples) expect(s.after).toBe(expected.get(`${s.imageId}:${s.field}`))

    const before = dump()
    progress.length = 0
    const { res, added } = await apply({ selection, op })
    expect(res.jobId).toEqual(expect.any(Number))
    expect(res.count).toBe(rows.length)
    expect(added).toHaveLength(1)
    const [batch] = await core.call('history.list', { limit: 1 })
    expect(batch).toMatchObject({ id: added[0], items: expected.size, actor: 'bulk-tester' })
    expect(batch!.label).toContain('Replace')
    const job = await core.call('jobs.get', { id: res.jobId! })
    expect(job).toMatchObject({ kind: 'bulk', status: 'done', total: rows.length })
    expect(job.items).toEqual({
      done: changedImages.size,
      skipped: rows.length - changedImages.size,
      failed: 0,
      pending: 0
    })
    const mine = progress.filter((p) => p.jobId === res.jobId)
    expect(mine.some((p) => p.status === 'running' && p.phase === 'apply')).toBe(true)
    expect(mine.at(-1)).toMatchObject({ status: 'done', done: rows.length })

    const r2 = reader()
    const now = r2
      .prepare(
        `SELECT image_id, lang, text FROM captions WHERE image_id IN (SELECT value FROM json_each(?))`
      )
      .all(JSON.stringify([...changedImages])) as { image_id: number; lang: string; text: string }[]
    r2.close()
    expect(now.filter((c) => expected.has(`${c.image_id}:${c.lang}`))).toHaveLength(expected.size)
    for (const c of now) {
      const want = expected.get(`${c.image_id}:${c.lang}`)
      if (want !== undefined) expect(c.text).toBe(want)
    }
    // search sees the new text
    const hit = await core.call('images.page', { filter: { datasetId: ds, search: '广州塔 | ' } })
    expect(hit.total).toBeGreaterThan(0)

    expect(await history('undo')).toMatchObject({ id: added[0], undone: true })
    expect(dump()).toBe(before)
    await history('redo')
    await history('undo')
    expect(dump()).toBe(before)
  }, 120_000)
})

describe('bulk job lifecycle', () => {
  it('cancel then resume: every image changed once, still one batch, undo byte-exact', async () => {
    const selection: Selection = { datasetId: ds, filter: { status: ['approved'] } }
    const op: BulkOp = { kind: 'tags.add', tags: ['reviewed'], position: 'end' }
    const preview = await core.call('bulk.preview', { selection, op })
    expect(preview.count).toBeGreaterThan(1000)
    const before = dump()
    const started = await core.call('bulk.apply', { selection, op })
    await core.call('jobs.cancel', { id: started.jobId! })
    const ended = await core.waitForJob(started.jobId!)
    expect(['cancelled', 'done']).toContain(ended.status)
    const ids0 = await batchIds()
    if (ended.status === 'cancelled') {
      await core.call('jobs.resume', { id: started.jobId! })
      expect((await core.waitForJob(started.jobId!)).status).toBe('done')
    }
    const job = await core.call('jobs.get', { id: started.jobId! })
    expect(job.items).toMatchObject({ done: preview.changed, pending: 0, failed: 0 })
    const ids1 = await batchIds()
    // at most one batch, and after resume still one
    expect(ids1.length - ids0.length).toBeLessThanOrEqual(1)
    const [batch] = await core.call('history.list', { limit: 1 })
    expect(batch!.items).toBe(preview.changed)
    expect((await core.call('tags.list', { search: 'reviewed' })).tags).toEqual([
      { tag: 'reviewed', count: preview.changed }
    ])
    await history('undo')
    expect(dump()).toBe(before)
  }, 120_000)
})

async function roundTrip(selection: Selection, op: BulkOp, check: () => Promise<void> | void) {
  const before = dump()
  const preview = await core.call('bulk.preview', { selection, op })
  const { res, added } = await apply({ selection, op })
  expect(added).toHaveLength(preview.changed > 0 ? 1 : 0)
  if (res.jobId === null) expect(res.changed).toBe(preview.changed)
  else expect((await core.call('jobs.get', { id: res.jobId })).items?.done).toBe(preview.changed)
  await check()
  await history('undo')
  expect(dump()).toBe(before)
  return preview
}

const image = (id: number) => core.call('images.get', { id })

describe('every operation kind applies as one batch and undoes byte-exactly', () => {
  const w1 = () => ({ ids: [crafted[0]!] })
  const both = () => ({ ids: [...crafted] })

  it('literal replace, case- and width-insensitive, per language', async () => {
    await roundTrip(
      both(),
      {
        kind: 'replace',
        find: '(广州塔)abc',
        replace: '广州塔',
        widthInsensitive: true,
        caseInsensitive: true,
        langs: ['zh']
      } as BulkOp,
      async () => {
        // no match: the parts are not adjacent in w1 (在夜里 between); w2 matches as is
        expect((await image(crafted[0]!)).zh).toBe('（广州塔）在夜里ＡＢＣ')
      }
    )
    const p = await roundTrip(
      both(),
      {
        kind: 'replace',
        find: '(广州塔)',
        replace: '【广州塔】',
        widthInsensitive: true,
        langs: ['zh']
      } as BulkOp,
      async () => {
        expect((await image(crafted[0]!)).zh).toBe('【广州塔】在夜里ＡＢＣ')
        expect((await image(crafted[1]!)).zh).toBe('【广州塔】白天abc')
        expect((await image(crafted[0]!)).en).toBe('The Tower, the TOWER and the tower')
      }
    )
    expect(p.changed).toBe(2)
    await roundTrip(
      w1(),
      {
        kind: 'replace',
        find: 'tower',
        replace: 'spire',
        caseInsensitive: true,
        langs: ['en']
      } as BulkOp,
      async () => {
        const img = await image(crafted[0]!)
        expect(img.en).toBe('The spire, the spire and the spire')
        expect(img.captions.en).toMatchObject({ source: 'manual', updatedBy: 'bulk-tester' })
      }
    )
    await roundTrip(
      w1(),
      {
        kind: 'replace',
        find: 'abc',
        replace: 'X',
        widthInsensitive: true,
        caseInsensitive: true,
        langs: ['zh']
      } as BulkOp,
      async () => expect((await image(crafted[0]!)).zh).toBe('（广州塔）在夜里X')
    )
  })

  it('replace from raw writes the caption and never modifies raw', async () => {
    await roundTrip(
      both(),
      {
        kind: 'replace',
        find: '^RAW text: ',
        replace: '',
        regex: true,
        source: 'raw',
        langs: ['en']
      } as BulkOp,
      async () => {
        const img = await image(crafted[0]!)
        expect(img.en).toBe('a tower')
        expect(img.raw).toBe('RAW text: a tower')
        expect((await image(crafted[1]!)).en).toBe('no match here')
      }
    )
  })

  it('a bad regex is INVALID_ARGS before anything runs', async () => {
    await expect(
      core.call('bulk.preview', {
        selection: both(),
        op: { kind: 'replace', find: '(', replace: '', regex: true }
      })
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' })
  })

  it('tags: add, remove, rename, merge, reorder', async () => {
    const tags = async () => (await image(crafted[0]!)).tags
    await roundTrip(
      w1(),
      { kind: 'tags.add', tags: ['sky', 'landmark'], position: 'start' } as BulkOp,
      async () => expect(await tags()).toEqual(['landmark', 'tower', 'night', 'sky'])
    )
    await roundTrip(w1(), { kind: 'tags.remove', tags: ['night'] }, async () =>
      expect(await tags()).toEqual(['tower', 'sky'])
    )
    await roundTrip(w1(), { kind: 'tags.rename', from: 'night', to: 'sky' }, async () =>
      expect(await tags()).toEqual(['tower', 'sky'])
    )
    await roundTrip(
      w1(),
      { kind: 'tags.merge', tags: ['tower', 'night'], into: 'guangzhou tower' },
      async () => expect(await tags()).toEqual(['guangzhou tower', 'sky'])
    )
    await roundTrip(w1(), { kind: 'tags.reorder', mode: 'alpha' }, async () =>
      expect(await tags()).toEqual(['night', 'sky', 'tower'])
    )
    await roundTrip(
      w1(),
      { kind: 'tags.reorder', mode: 'front', tags: ['sky', 'missing'] },
      async () => expect(await tags()).toEqual(['sky', 'tower', 'night'])
    )
  })

  it('status, concept and repeats, trigger word', async () => {
    await roundTrip(both(), { kind: 'status', status: 'needs-work' }, async () => {
      expect((await image(crafted[0]!)).status).toBe('needs-work')
      expect((await image(crafted[1]!)).status).toBe('needs-work')
    })
    await roundTrip(
      both(),
      { kind: 'concept', concept: 'gz_tower', repeats: 8 } as BulkOp,
      async () =>
        expect(await image(crafted[1]!)).toMatchObject({ concept: 'gz_tower', repeats: 8 })
    )
    const p = await roundTrip(
      both(),
      {
        kind: 'trigger',
        word: 'gztower',
        position: 'prepend',
        langs: ['zh', 'en'],
        tags: true
      } as BulkOp,
      async () => {
        const a = await image(crafted[0]!)
        expect(a.zh).toBe('gztower，（广州塔）在夜里ＡＢＣ')
        expect(a.en).toBe('gztower, The Tower, the TOWER and the tower')
        expect(a.tags[0]).toBe('gztower')
        // applying again changes nothing
        const again = await core.call('bulk.preview', {
          selection: both(),
          op: { kind: 'trigger', word: 'gztower', tags: true }
        })
        expect(again.changed).toBe(0)
      }
    )
    expect(p.changed).toBe(2)
    expect(p.samples.map((s) => s.field).sort()).toEqual(['en', 'en', 'tags', 'tags', 'zh', 'zh'])
  })

  it('move to another dataset (a file already there is a conflict) and delete, each undone', async () => {
    const moved = await roundTrip(both(), { kind: 'move', datasetId: other }, async () => {
      expect((await image(crafted[0]!)).datasetId).toBe(other)
      expect((await image(crafted[1]!)).datasetId).not.toBe(other)
    })
    expect(moved).toMatchObject({ count: 2, changed: 1, conflicts: 1 })
    await expect(
      core.call('bulk.apply', { selection: both(), op: { kind: 'move', datasetId: 424242 } })
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })

    await roundTrip(both(), { kind: 'delete' }, async () => {
      await expect(image(crafted[0]!)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect((await core.call('images.page', { filter: { search: '在夜里' } })).total).toBe(0)
    })
    // search works again after the undo
    expect((await core.call('images.page', { filter: { search: '在夜里' } })).total).toBe(1)
  })

  it('delete of a big selection runs as a job; undo restores every row', async () => {
    const selection: Selection = { datasetId: other, filter: { status: ['rejected'] } }
    const count = (await core.call('selection.count', { selection })).count
    expect(count).toBeGreaterThan(1000)
    const p = await roundTrip(selection, { kind: 'delete' }, async () => {
      expect((await core.call('selection.count', { selection })).count).toBe(0)
    })
    expect(p).toMatchObject({ count, changed: count })
    expect((await core.call('selection.count', { selection })).count).toBe(count)
  }, 120_000)
})

describe('tag panel', () => {
  it('lists tags with counts in the filter, searches, and renames/merges everywhere as one batch', async () => {
    const r = reader()
    const expected = r
      .prepare(
        `SELECT tag, count(*) AS count FROM tags WHERE image_id IN (SELECT id FROM images WHERE dataset_id = ?)
          GROUP BY tag ORDER BY count DESC, tag`
      )
      .all(ds) as { tag: string; count: number }[]
    const catAll = r.prepare(`SELECT count(*) FROM tags WHERE tag = 'cat'`).pluck().get() as number
    r.close()
    const list = await core.call('tags.list', { filter: { datasetId: ds } })
    expect(list.tags).toEqual(expected)
    expect(list.distinct).toBe(expected.length)
    const found = await core.call('tags.list', {
      filter: { datasetId: ds },
      search: 'LONG',
      sort: { key: 'tag', dir: 'asc' }
    })
    expect(found.tags.map((t) => t.tag)).toEqual(['long_hair'])

    const before = dump()
    const added0 = await batchIds()
    const ren = await core.call('tags.rename', { from: 'cat', to: 'kitty' })
    expect(ren.count).toBe(catAll)
    if (ren.jobId !== null) await core.waitForJob(ren.jobId)
    expect((await batchIds()).filter((id) => !added0.includes(id))).toHaveLength(1)
    const after = await core.call('tags.list', { search: 'kitty' })
    expect(after.tags).toEqual([{ tag: 'kitty', count: catAll }])
    expect(
      (await core.call('tags.list', { search: 'cat' })).tags.find((t) => t.tag === 'cat')
    ).toBeUndefined()
    await history('undo')
    expect(dump()).toBe(before)

    const r2 = reader()
    const union = r2
      .prepare(
        `SELECT count(DISTINCT image_id) FROM tags WHERE tag IN ('sky','night','outdoors')
           AND image_id IN (SELECT id FROM images WHERE dataset_id = ?)`
      )
      .pluck()
      .get(ds) as number
    const outdoorsElsewhere = r2
      .prepare(
        `SELECT count(*) FROM tags WHERE tag = 'outdoors' AND image_id NOT IN (SELECT id FROM images WHERE dataset_id = ?)`
      )
      .pluck()
      .get(ds) as number
    r2.close()
    const merged = await core.call('tags.merge', {
      tags: ['sky', 'night'],
      into: 'outdoors',
      datasetId: ds
    })
    if (merged.jobId !== null) await core.waitForJob(merged.jobId)
    const m = await core.call('tags.list', { filter: { datasetId: ds }, search: 'outdoors' })
    expect(m.tags).toEqual([{ tag: 'outdoors', count: union }])
    // other datasets keep their tags
    expect((await core.call('tags.list', { search: 'outdoors' })).tags).toEqual([
      { tag: 'outdoors', count: union + outdoorsElsewhere }
    ])
    expect((await core.call('tags.list', { search: 'sky' })).tags.length).toBe(1)
    await history('undo')
    expect(dump()).toBe(before)
  }, 120_000)
})
