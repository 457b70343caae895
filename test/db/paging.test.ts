/**
 * Keyed paging against a plain reference query: every sort key in both directions, under many
 * filters, yields every matching row exactly once in the reference order; totals match; search
 * finds Chinese substrings of 1, 2 and 3+ characters and English substrings case-insensitively.
 */
import type { WritableDB } from '../../src-main/core/db/types'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { pageImages } from '../../src-main/core/images/queries'
import { SORT_KEYS, type ImageFilter, type Sort, type SortKey } from '../../src-main/shared/api'
import { BucketSelector } from '../../src-main/core/review/buckets'
import { fold } from '../../src-main/core/glossary/script'
import { insertImage, seedLibrary } from './helpers'

let dir: string
let db: WritableDB
let ds1: number
let ds2: number
const special: Record<string, number> = {}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-paging-'))
  db = openDatabase(path.join(dir, 'lib.sqlite'))
  ;[ds1, ds2] = seedLibrary(db, { datasets: 2, imagesPerDataset: 1200 }).datasetIds as [
    number,
    number
  ]
  // rows for the search semantics, inserted through the triggers like real edits
  db.transaction(() => {
    special.punct = insertImage(db, ds1, { fileName: 'p.jpg', zh: '广，州的夜晚' })
    special.reversed = insertImage(db, ds1, { fileName: 'r.jpg', zh: '州广之间' })
    special.upper = insertImage(db, ds1, { fileName: 'u.jpg', en: 'A Tall TOWER by the river' })
    special.tagOnly = insertImage(db, ds1, { fileName: 't.jpg', tags: ['雪山', 'snow_field'] })
    special.rawOnly = insertImage(db, ds1, { fileName: 'w.jpg', raw: '原始的龙舟比赛 dragon boat' })
    special.percent = insertImage(db, ds2, { fileName: 'pc.jpg', en: '100% cotton' })
    special.noSize = insertImage(db, ds2, {
      fileName: 'ns.jpg',
      width: null,
      height: null,
      error: 'truncated'
    })
  })()
})
afterAll(() => {
  closeDatabase(db)
  fs.rmSync(dir, { recursive: true, force: true })
})

const ORDER: Record<SortKey, string[]> = {
  name: ['i.file_name'],
  folder: ['i.folder', 'i.file_name'],
  added: [],
  status: ['i.status'],
  width: ['COALESCE(i.width, -1)'],
  height: ['COALESCE(i.height, -1)']
}

/** The reference: plain SQL, no FTS, no cursor, substring search with instr() on lower(). */
function reference(f: ImageFilter, sort: Sort): number[] {
  const w: string[] = []
  const p: (string | number)[] = []
  const add = (term: string, ...params: (string | number)[]) => {
    w.push(term)
    p.push(...params)
  }
  if (f.datasetId !== undefined) add('i.dataset_id = ?', f.datasetId)
  if (f.status?.length) add(`i.status IN (${f.status.map(() => '?').join(',')})`, ...f.status)
  if (f.concept !== undefined) add('i.concept = ?', f.concept)
  if (f.folder !== undefined) add('i.folder = ?', f.folder)
  if (f.hasError !== undefined) w.push(f.hasError ? 'i.error IS NOT NULL' : 'i.error IS NULL')
  const has = (l: string) =>
    `EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.lang = '${l}' AND c.text != '')`
  if (f.missing === 'zh' || f.missing === 'en') w.push(`NOT ${has(f.missing)}`)
  if (f.missing === 'any') w.push(`NOT (${has('zh')} AND ${has('en')})`)
  // search: every whitespace-separated term ("quoted" = one term) is a substring, compared
  // folded (case, width, script), of zh, en, tags (and the raw caption if asked), or, for a
  // term of 3+ characters, of the path (the name index is a trigram index)
  const terms = [...(f.search ?? '').matchAll(/"([^"]*)"(?=\s|$)|(\S+)/gu)]
    .map((m) => (m[1] ?? m[2] ?? '').trim())
    .filter(Boolean)
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC'
  const order = [...ORDER[sort.key], 'i.id'].map((k) => `${k} ${dir}`)
  const sql = `SELECT i.id, i.width, i.height, i.tags_text, z.text AS zh, e.text AS en,
    i.raw_caption AS raw, i.rel_path FROM images i
    LEFT JOIN captions z ON z.image_id = i.id AND z.lang = 'zh'
    LEFT JOIN captions e ON e.image_id = i.id AND e.lang = 'en'
    ${w.length ? `WHERE ${w.join(' AND ')}` : ''} ORDER BY ${order.join(', ')}`
  // the dashboard filters, checked in JavaScript (the bucket by review/buckets.ts itself)
  const inRange = (v: number, r?: { min?: number; max?: number }) =>
    !r || ((r.min === undefined || v >= r.min) && (r.max === undefined || v < r.max))
  const rows = db.prepare(sql).all(...p) as RefRow[]
  return rows
    .filter((r) => {
      const hay = [r.zh ?? '', r.en ?? '', r.tags_text]
      if (f.searchRaw) hay.push(r.raw ?? '')
      const folded = hay.map(fold)
      const name = fold(r.rel_path)
      const found = (t: string): boolean =>
        folded.some((h) => h.includes(fold(t))) || ([...t].length >= 3 && name.includes(fold(t)))
      if (!terms.every(found)) return false
      const tags = r.tags_text ? r.tags_text.split(', ') : []
      if (f.tags && !f.tags.every((t) => tags.includes(t))) return false
      const sized = r.width !== null && r.height !== null && r.width > 0 && r.height > 0
      if ((f.width || f.height || f.aspect || f.bucket) && !sized) return false
      if (!inRange(r.width ?? 0, f.width) || !inRange(r.height ?? 0, f.height)) return false
      if (f.aspect && !inRange(r.width! / r.height!, f.aspect)) return false
      if (f.captionLength) {
        const text = f.captionLength.lang === 'zh' ? r.zh : r.en
        if (!text || !inRange(text.length, f.captionLength)) return false
      }
      if (f.bucket) {
        const reso = new BucketSelector(f.bucket).select(r.width!, r.height!).reso
        if (reso[0] !== f.bucket.width || reso[1] !== f.bucket.height) return false
      }
      return true
    })
    .map((r) => r.id)
}

interface RefRow {
  id: number
  width: number | null
  height: number | null
  tags_text: string
  zh: string | null
  en: string | null
  raw: string | null
  rel_path: string
}

const BUCKET_1024 = {
  resolution: [1024, 1024] as [number, number],
  enableBucket: true,
  minReso: 256,
  maxReso: 1024,
  steps: 64,
  noUpscale: false
}

function pageAll(
  f: ImageFilter,
  sort: Sort,
  limit: number
): { ids: number[]; total: number | null; pages: number } {
  const ids: number[] = []
  let cursor: string | null = null
  let total: number | null = null
  let pages = 0
  do {
    const page = pageImages(db, { filter: f, sort, cursor, limit, withTotal: pages === 0 })
    if (pages === 0) total = page.total
    ids.push(...page.rows.map((r) => r.id))
    cursor = page.nextCursor
    pages++
    expect(pages).toBeLessThan(10_000)
  } while (cursor)
  return { ids, total, pages }
}

const FILTERS = (): [string, ImageFilter][] => [
  ['everything', {}],
  ['dataset', { datasetId: ds1 }],
  ['statuses', { datasetId: ds1, status: ['approved', 'rejected'] }],
  ['one status', { status: ['needs-work'] }],
  ['concept', { datasetId: ds2, concept: 'food' }],
  ['folder', { datasetId: ds1, folder: '5_橘猫' }],
  ['missing zh', { datasetId: ds1, missing: 'zh' }],
  ['missing any', { missing: 'any' }],
  ['errors', { hasError: true }],
  ['good rows', { datasetId: ds2, hasError: false }],
  ['search 2 cjk', { datasetId: ds1, search: '广州' }],
  ['search 1 cjk + status', { search: '猫', status: ['unreviewed'] }],
  ['search latin', { search: 'TALL tow' }],
  ['search short latin', { datasetId: ds2, search: 'at' }],
  ['one tag', { datasetId: ds1, tags: ['cat'] }],
  ['two tags + status', { tags: ['solo', 'sky'], status: ['unreviewed', 'approved'] }],
  ['width range', { datasetId: ds1, width: { min: 640, max: 1025 } }],
  ['height + aspect', { height: { min: 768 }, aspect: { min: 1, max: 1.5 } }],
  ['wide', { datasetId: ds2, aspect: { min: 2 } }],
  ['zh length', { datasetId: ds2, captionLength: { lang: 'zh', min: 16, max: 20 } }],
  ['en length + search', { captionLength: { lang: 'en', max: 50 }, search: 'cat' }],
  ['bucket', { datasetId: ds1, bucket: { ...BUCKET_1024, width: 512, height: 1024 } }],
  ['square bucket', { bucket: { ...BUCKET_1024, width: 1024, height: 1024 } }],
  [
    'bucket no upscale',
    { datasetId: ds2, bucket: { ...BUCKET_1024, noUpscale: true, width: 640, height: 512 } }
  ]
]

describe('keyed paging', () => {
  for (const key of SORT_KEYS) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`sort ${key} ${dir}: every row once, in order, with the right total`, () => {
        for (const [name, f] of FILTERS()) {
          const want = reference(f, { key, dir })
          expect(want.length, `${name} matches something`).toBeGreaterThan(0)
          const got = pageAll(f, { key, dir }, 97)
          expect(got.ids, `${name} ${key} ${dir}`).toEqual(want)
          expect(got.total, name).toBe(want.length)
          expect(new Set(got.ids).size).toBe(got.ids.length)
        }
        // the filter set is not vacuous
        expect(reference({ datasetId: ds1, search: '广州' }, { key, dir }).length).toBeGreaterThan(
          50
        )
      })
    }
  }

  it('pages rows without a size (import errors) in both directions', () => {
    for (const dir of ['asc', 'desc'] as const) {
      const got = pageAll({ datasetId: ds2 }, { key: 'width', dir }, 10).ids
      expect(got).toContain(special.noSize)
      expect(got).toEqual(reference({ datasetId: ds2 }, { key: 'width', dir }))
    }
  })

  it('a page is `limit` rows; the last page has no cursor', () => {
    const first = pageImages(db, {
      filter: {},
      sort: { key: 'name', dir: 'asc' },
      limit: 5,
      withTotal: false
    })
    expect(first.rows).toHaveLength(5)
    expect(first.total).toBeNull()
    expect(first.nextCursor).toEqual(expect.any(String))
    const all = pageImages(db, {
      filter: { datasetId: ds1, folder: 'nowhere' },
      sort: { key: 'name', dir: 'asc' },
      limit: 5,
      withTotal: true
    })
    expect(all).toEqual({ rows: [], nextCursor: null, total: 0 })
  })

  it('rows carry captions and tags', () => {
    const page = pageImages(db, {
      filter: { search: 'snow_field' },
      sort: { key: 'added', dir: 'asc' },
      limit: 10,
      withTotal: true
    })
    expect(page.rows.map((r) => r.id)).toEqual([special.tagOnly])
    expect(page.rows[0]).toMatchObject({
      tags: ['雪山', 'snow_field'],
      zh: '',
      en: '',
      fileName: 't.jpg'
    })
    const up = pageImages(db, {
      filter: { search: 'river' },
      sort: { key: 'added', dir: 'asc' },
      limit: 10,
      withTotal: true
    })
    expect(up.rows[0]).toMatchObject({ en: 'A Tall TOWER by the river', tags: [] })
  })

  it('rejects a cursor from another sort order or a forged one with INVALID_ARGS', () => {
    const first = pageImages(db, {
      filter: {},
      sort: { key: 'name', dir: 'asc' },
      limit: 5,
      withTotal: false
    })
    expect(() =>
      pageImages(db, {
        filter: {},
        sort: { key: 'status', dir: 'asc' },
        cursor: first.nextCursor,
        limit: 5,
        withTotal: false
      })
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }))
    for (const bad of [
      'not-a-cursor',
      Buffer.from('{"k":"name","d":"asc","v":[1]}').toString('base64url'),
      '!!!'
    ])
      expect(() =>
        pageImages(db, {
          filter: {},
          sort: { key: 'name', dir: 'asc' },
          cursor: bad,
          limit: 5,
          withTotal: false
        })
      ).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }))
  })
})

describe('search', () => {
  const find = (search: string, f: ImageFilter = {}) =>
    pageAll({ ...f, search }, { key: 'added', dir: 'asc' }, 500).ids

  it('finds Chinese substrings of 1, 2 and 3+ characters', () => {
    const two = find('广州')
    expect(two).toEqual(reference({ search: '广州' }, { key: 'added', dir: 'asc' }))
    expect(two.length).toBeGreaterThan(100)
    const three = find('广州塔')
    expect(three).toEqual(reference({ search: '广州塔' }, { key: 'added', dir: 'asc' }))
    expect(three.length).toBeGreaterThan(50)
    const one = find('州')
    expect(one).toEqual(expect.arrayContaining([special.punct, special.reversed]))
    expect(one).toEqual(reference({ search: '州' }, { key: 'added', dir: 'asc' }))
    expect(find('雪山')).toContain(special.tagOnly) // tags are searched
    // the raw imported caption only when asked
    expect(find('龙舟')).toEqual([])
    expect(find('龙舟', { searchRaw: true })).toEqual([special.rawOnly])
    expect(find('原始的龙舟', { searchRaw: true })).toEqual([special.rawOnly])
  })

  it('does not match a CJK phrase across punctuation or out of order', () => {
    const hits = find('广州')
    expect(hits).not.toContain(special.punct) // 广，州
    expect(hits).not.toContain(special.reversed) // 州广
    expect(find('州广')).toEqual([special.reversed])
  })

  it('finds English substrings case-insensitively, short ones too', () => {
    expect(find('tall TOWER')).toContain(special.upper)
    expect(find('A TALL tower BY')).toEqual(
      reference({ search: 'A TALL tower BY' }, { key: 'added', dir: 'asc' })
    )
    expect(find('A TALL tower BY')).toContain(special.upper)
    expect(find('RI')).toContain(special.upper) // 2 characters: the LIKE fallback
    expect(find('dragon BOAT')).toEqual([])
    expect(find('dragon BOAT', { searchRaw: true })).toEqual([special.rawOnly])
  })

  it('ANDs whitespace-separated terms; a quoted phrase stays one', () => {
    const sort: Sort = { key: 'added', dir: 'asc' }
    for (const q of ['广州 夜', 'tall river', '"tall tower"', '"by the river" A', '猫 橘'])
      expect(find(q), q).toEqual(reference({ search: q }, sort))
    expect(find('tall river')).toContain(special.upper)
    expect(find('"tall river"')).not.toContain(special.upper)
    expect(find('"Tall TOWER by"')).toEqual([special.upper])
  })

  it('folds 简/繁 and full/half width as the glossaries do', () => {
    const sort: Sort = { key: 'added', dir: 'asc' }
    expect(find('廣州')).toEqual(reference({ search: '广州' }, sort))
    expect(find('廣州塔')).toEqual(reference({ search: '广州塔' }, sort))
    expect(find('ＴＡＬＬ　ｔｏｗｅｒ')).toContain(special.upper)
    expect(find('龍舟', { searchRaw: true })).toEqual([special.rawOnly])
  })

  it('searches folder and file names; marks rows found only in the raw caption', () => {
    expect(find('r.jpg')).toEqual([special.reversed])
    expect(find('pc.jpg cotton')).toEqual([special.percent])
    const page = pageImages(db, {
      filter: { datasetId: ds1, search: 'dragon', searchRaw: true },
      sort: { key: 'added', dir: 'asc' },
      cursor: null,
      limit: 50,
      withTotal: true
    })
    expect(page.rows.map((r) => [r.id, r.rawOnly])).toEqual([[special.rawOnly, true]])
    const captioned = pageImages(db, {
      filter: { datasetId: ds1, search: 'tower', searchRaw: true },
      sort: { key: 'added', dir: 'asc' },
      cursor: null,
      limit: 50,
      withTotal: false
    })
    expect(captioned.rows.find((r) => r.id === special.upper)?.rawOnly).toBeUndefined()
  })

  it('treats LIKE and FTS syntax in the query as plain text', () => {
    expect(find('0%')).toEqual([special.percent])
    expect(find('%')).toEqual([special.percent])
    expect(find('w_f')).toEqual([special.tagOnly]) // snow_field, `_` is not a wildcard
    expect(find('"')).toEqual([])
    expect(find('tall" OR "cat')).toEqual([])
    expect(find('AND')).toEqual(reference({ search: 'AND' }, { key: 'added', dir: 'asc' }))
  })

  it('combines with the other filters and ignores surrounding spaces', () => {
    const f: ImageFilter = { datasetId: ds2, status: ['approved'] }
    expect(find('  橘猫 ', f)).toEqual(
      reference({ ...f, search: '橘猫' }, { key: 'added', dir: 'asc' })
    )
    expect(find('   ')).toHaveLength(reference({}, { key: 'added', dir: 'asc' }).length)
  })
})
