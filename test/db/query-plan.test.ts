/**
 * EXPLAIN QUERY PLAN for every grid query shape: each sort key and direction, with and without a
 * cursor, with each filter (and the common combinations), on a fresh library and after ANALYZE.
 * Every page must walk an index in ORDER BY order: no temp b-tree sort, no table scan without an
 * index (the one exception is the library-wide "added" order, which is the rowid order itself).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { buildCountQuery, buildPageQuery, sortKeys } from '../../src-main/core/images/queries'
import { SORT_KEYS, type ImageFilter, type SortKey } from '../../src-main/shared/api'
import { seedLibrary } from './helpers'

let dir: string
let db: Database
let ds: number

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-plan-'))
  db = openDatabase(path.join(dir, 'lib.sqlite'))
  ds = seedLibrary(db, { datasets: 2, imagesPerDataset: 1500 }).datasetIds[0]!
})
afterAll(() => {
  closeDatabase(db)
  fs.rmSync(dir, { recursive: true, force: true })
})

function filters(): [string, ImageFilter][] {
  return [
    ['none', {}],
    ['dataset', { datasetId: ds }],
    ['status', { datasetId: ds, status: ['approved', 'needs-work'] }],
    ['concept', { datasetId: ds, concept: 'food' }],
    ['folder', { datasetId: ds, folder: '1_food' }],
    ['missing zh', { datasetId: ds, missing: 'zh' }],
    ['missing any', { datasetId: ds, missing: 'any' }],
    ['errors', { datasetId: ds, hasError: true }],
    ['no errors', { datasetId: ds, hasError: false }],
    ['search 3+', { datasetId: ds, search: '广州塔' }],
    ['search cjk 2', { datasetId: ds, search: '橘猫' }],
    ['search cjk 1', { datasetId: ds, search: '猫' }],
    ['search short latin', { datasetId: ds, search: 'at' }],
    ['one status', { datasetId: ds, status: ['approved'] }],
    ['library status+search', { status: ['unreviewed'], search: 'tall tower' }],
    ['library folder', { folder: '1_food' }],
    ['library folder+status', { folder: '1_food', status: ['rejected'] }],
    ['tags', { datasetId: ds, tags: ['cat', 'solo'] }],
    ['library tag', { tags: ['sky'] }],
    ['width+height', { datasetId: ds, width: { min: 600 }, height: { max: 1000 } }],
    ['aspect', { aspect: { min: 0.5, max: 2 } }],
    ['caption chars', { datasetId: ds, captionLength: { lang: 'zh', min: 10, max: 30 } }],
    ['caption tokens', { captionLength: { lang: 'en', unit: 'clip', min: 77 } }],
    [
      'bucket',
      {
        datasetId: ds,
        bucket: {
          width: 1024,
          height: 1024,
          resolution: [1024, 1024],
          enableBucket: true,
          minReso: 256,
          maxReso: 1024,
          steps: 64,
          noUpscale: false
        }
      }
    ],
    [
      'bucket no upscale + tag',
      {
        tags: ['night'],
        bucket: {
          width: 512,
          height: 512,
          resolution: [768, 768],
          enableBucket: true,
          minReso: 256,
          maxReso: 1024,
          steps: 64,
          noUpscale: true
        }
      }
    ],
    [
      'everything',
      {
        datasetId: ds,
        status: ['approved'],
        concept: 'food',
        missing: 'en',
        hasError: false,
        search: '面'
      }
    ]
  ]
}

/** A cursor of the right shape: the values of the sort keys that vary under the filter, then an id. */
function cursorFor(key: SortKey, f: ImageFilter): (string | number)[] {
  return sortKeys(f, key).map((k) => sample[k] ?? 50)
}
const sample: Record<string, string | number> = {
  'i.file_name': 'img_000100.jpg',
  'i.folder': '1_food',
  'i.status': 'needs-work',
  'COALESCE(i.width, -1)': 512,
  'COALESCE(i.height, -1)': 768,
  'i.id': 50
}
function plan(sql: string, params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
    (r) => r.detail
  )
}

function checkPagePlan(lines: string[], key: SortKey, f: ImageFilter): void {
  const ctx = `${key} ${JSON.stringify(f)}:\n${lines.join('\n')}`
  expect(
    lines.some((l) => l.includes('TEMP B-TREE')),
    ctx
  ).toBe(false)
  const imageLines = lines.filter((l) => /^(SCAN|SEARCH) i\b/.test(l))
  expect(imageLines.length, ctx).toBeGreaterThan(0)
  for (const l of imageLines) {
    const indexed = /USING (COVERING )?INDEX |USING INTEGER PRIMARY KEY/.test(l)
    const rowidOrder = l === 'SCAN i' && key === 'added' && f.datasetId === undefined
    expect(indexed || rowidOrder, ctx).toBe(true)
  }
  // the caption joins are primary-key lookups, never scans
  for (const l of lines.filter((x) => /^(SCAN|SEARCH) [ze]\b/.test(x)))
    expect(l, ctx).toMatch(/USING PRIMARY KEY/)
  expect(
    lines.some((l) => /^SCAN (captions|images)\b/.test(l)),
    ctx
  ).toBe(false)
}

describe.each([
  ['fresh library', false],
  ['after ANALYZE', true]
])('grid query plans (%s)', (_label, analyze) => {
  beforeAll(() => {
    if (analyze) db.exec('ANALYZE')
  })
  for (const key of SORT_KEYS) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`sort ${key} ${dir}: every filter pages along an index`, () => {
        for (const [, f] of filters()) {
          for (const after of [null, cursorFor(key, f)]) {
            const q = buildPageQuery(f, { key, dir }, after, 101)
            checkPagePlan(plan(q.sql, q.params), key, f)
            // and the query really runs
            expect(() => db.prepare(q.sql).all(...q.params)).not.toThrow()
          }
        }
      })
    }
  }

  it('totals count through an index or the search index, never a bare table scan', () => {
    for (const [, f] of filters()) {
      const q = buildCountQuery(f)
      const lines = plan(q.sql, q.params)
      const ctx = `${JSON.stringify(f)}:\n${lines.join('\n')}`
      for (const l of lines.filter((x) => /^(SCAN|SEARCH) i\b/.test(x)))
        expect(l, ctx).toMatch(/USING (COVERING )?INDEX |USING INTEGER PRIMARY KEY/)
    }
  })
})
