/**
 * The cleanup preview's read of a whole dataset (cleanup/queries.ts previewChunk: range scans of
 * the captions and tags primary keys) against a plain per-image reference: every image of the
 * dataset exactly once, in id order, with its own captions and its tags in order — when datasets
 * were imported in turns (ids interleaved), when a dataset's ids are spread thin (the by-id
 * path), and for images with no caption or no tags.
 */
import type { WritableDB } from '../../src-main/core/db/types'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { imageNames, previewChunk } from '../../src-main/core/cleanup/queries'
import type { CleanupItem } from '../../src-main/core/cleanup/types'
import { insertImage, prng } from './helpers'

let dir: string
let db: WritableDB
let a: number
let b: number
let sparse: number

function dataset(name: string): number {
  return Number(
    db.prepare('INSERT INTO datasets (name, created_at) VALUES (?, 0)').run(name).lastInsertRowid
  )
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-cleanup-read-'))
  db = openDatabase(path.join(dir, 'lib.sqlite'))
  a = dataset('a')
  b = dataset('b')
  sparse = dataset('sparse')
  const rnd = prng(5)
  db.transaction(() => {
    // a and b imported in turns: their ids interleave; each has captions in both, one or no
    // language, and tags or none
    for (let i = 0; i < 2600; i++) {
      const ds = rnd() < 0.5 ? a : b
      const r = rnd()
      insertImage(db, ds, {
        fileName: `${ds}-${i}.jpg`,
        zh: r < 0.7 ? `第${i}张图，#话题 ${ds === a ? '甲' : '乙'}` : null,
        en: r > 0.4 ? `picture ${i} of ${ds}` : null,
        tags: rnd() < 0.6 ? [`t${i}`, '1girl', `ds${ds}`] : []
      })
    }
    // one image of `sparse` first, then 3000 of b, then the rest of sparse: its ids are spread thin
    insertImage(db, sparse, { fileName: 'first.jpg', zh: '最早的一张', tags: ['old'] })
    for (let i = 0; i < 3000; i++)
      insertImage(db, b, { fileName: `late-b-${i}.jpg`, en: `late ${i}`, tags: ['late'] })
    for (let i = 0; i < 40; i++)
      insertImage(db, sparse, { fileName: `s${i}.jpg`, en: i % 3 ? `sparse ${i}` : null })
  })()
})
afterAll(() => {
  closeDatabase(db)
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Each image of the dataset read on its own. */
function reference(datasetId: number): CleanupItem[] {
  const ids = db
    .prepare('SELECT id FROM images WHERE dataset_id = ? ORDER BY id')
    .pluck()
    .all(datasetId) as number[]
  const cap = db.prepare('SELECT text FROM captions WHERE image_id = ? AND lang = ?').pluck()
  const tags = db.prepare('SELECT tag FROM tags WHERE image_id = ? ORDER BY position').pluck()
  return ids.map((id) => ({
    id,
    zh: (cap.get(id, 'zh') as string | undefined) ?? '',
    en: (cap.get(id, 'en') as string | undefined) ?? '',
    tags: tags.all(id) as string[]
  }))
}

function readAll(datasetId: number, chunk: number): CleanupItem[] {
  const out: CleanupItem[] = []
  let after = 0
  for (;;) {
    const items = previewChunk(db, datasetId, after, chunk)
    if (!items.length) return out
    expect(items.length).toBeLessThanOrEqual(chunk)
    out.push(...items)
    after = items[items.length - 1]!.id
  }
}

describe('cleanup preview read', () => {
  it('reads each image of interleaved datasets once, with its own captions and tags', () => {
    for (const ds of [a, b]) {
      const want = reference(ds)
      expect(want.length).toBeGreaterThan(1000)
      expect(readAll(ds, 1000)).toEqual(want)
      expect(readAll(ds, 7)).toEqual(want)
    }
    // nothing of b leaks into a
    expect(readAll(a, 1000).some((it) => it.en.includes(` of ${b}`))).toBe(false)
  })

  it('reads a dataset whose ids are spread thin by id, with the same result', () => {
    const want = reference(sparse)
    expect(want).toHaveLength(41)
    expect(want[0]).toEqual({ id: want[0]!.id, zh: '最早的一张', en: '', tags: ['old'] })
    expect(readAll(sparse, 1000)).toEqual(want)
    expect(readAll(sparse, 3)).toEqual(want)
  })

  it('names the listed images', () => {
    const first = reference(sparse)[0]!.id
    const names = imageNames(db, [first, 999_999])
    expect(names.get(first)).toEqual({ fileName: 'first.jpg', relPath: 'first.jpg' })
    expect(names.has(999_999)).toBe(false)
  })
})
