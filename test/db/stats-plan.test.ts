/**
 * EXPLAIN QUERY PLAN for every statement the dashboard statistics run (review/stats.ts), recorded
 * as they are issued on a real seeded library (two datasets), fresh and after ANALYZE:
 *  - filtered to a dataset, captions, tags and their per-dataset shadows (caption_metrics,
 *    tag_stats) are only ever searched by key, never scanned; the one scan allowed is the partial
 *    index of empty captions (only empty captions are in it), each then checked by primary key;
 *  - images are always reached through an index, never a bare table scan;
 *  - with no filter, the tag and caption-length histograms group along an index (no temp b-tree);
 *  - the statistics stay current through writes without any lazy fill (triggers of 0007).
 */
import type { WritableDB } from '../../src-main/core/db/types'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Statement } from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import {
  bucketStats,
  captionLengthStats,
  resolutionStats,
  reviewStats,
  tagStats
} from '../../src-main/core/review/stats'
import { estimateTokens } from '../../src-main/core/captions/text/tokens'
import type { ImageFilter } from '../../src-main/shared/api'
import { seedLibrary } from './helpers'

let dir: string
let db: WritableDB
let ds: number
let other: number

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-stats-plan-'))
  db = openDatabase(path.join(dir, 'lib.sqlite'))
  const seeded = seedLibrary(db, { datasets: 2, imagesPerDataset: 1500 })
  ds = seeded.datasetIds[0]!
  other = seeded.datasetIds[1]!
})
afterAll(() => {
  closeDatabase(db)
  fs.rmSync(dir, { recursive: true, force: true })
})

interface Run {
  sql: string
  params: unknown[]
}

/** The real connection, with every statement prepared through it recorded as it runs. */
function recording(runs: Run[]): WritableDB {
  const wrap = (st: Statement, sql: string): Statement => {
    const p: Statement = new Proxy(st, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown
        if (typeof v !== 'function') return v
        if (prop === 'all' || prop === 'get' || prop === 'iterate')
          return (...params: unknown[]) => {
            runs.push({ sql, params })
            return (v as (...a: unknown[]) => unknown).apply(target, params)
          }
        if (prop === 'raw' || prop === 'pluck' || prop === 'expand')
          return (...a: unknown[]) => {
            ;(v as (...x: unknown[]) => unknown).apply(target, a)
            return p
          }
        return (v as (...a: unknown[]) => unknown).bind(target)
      }
    })
    return p
  }
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql)
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  })
}

function statsRuns(filter: ImageFilter): Run[] {
  const runs: Run[] = []
  const rdb = recording(runs)
  tagStats(rdb, filter, 30)
  captionLengthStats(rdb, filter)
  resolutionStats(rdb, filter, 2000)
  bucketStats(rdb, filter, {
    resolution: [1024, 1024],
    enableBucket: true,
    minReso: 256,
    maxReso: 1024,
    steps: 64,
    noUpscale: false
  })
  reviewStats(rdb, filter, 'day', 0)
  return runs
}

function plan(r: Run): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${r.sql}`).all(...r.params) as { detail: string }[]).map(
    (x) => x.detail
  )
}

const CAPTION_TAG_TABLES = /^(SCAN|SEARCH) (captions|tags|caption_metrics|tag_stats|c|t|m)\b/

describe.each([
  ['fresh library', false],
  ['after ANALYZE', true]
])('statistics query plans (%s)', (_label, analyze) => {
  beforeAll(() => {
    if (analyze) db.exec('ANALYZE')
  })

  it('filtered to a dataset: no scan of captions or tags, images through an index', () => {
    const runs = statsRuns({ datasetId: ds })
    expect(runs.length).toBeGreaterThan(8)
    for (const r of runs) {
      const lines = plan(r)
      const ctx = `${r.sql}\n${lines.join('\n')}`
      for (const l of lines.filter((x) => CAPTION_TAG_TABLES.test(x))) {
        if (l.startsWith('SCAN')) expect(l, ctx).toMatch(/USING COVERING INDEX captions_empty$/)
        else expect(l, ctx).toMatch(/USING (COVERING )?INDEX|USING PRIMARY KEY/)
      }
      for (const l of lines.filter((x) => /^(SCAN|SEARCH) (i|images)\b/.test(x)))
        expect(l, ctx).toMatch(/USING (COVERING )?INDEX |USING INTEGER PRIMARY KEY/)
      expect(
        lines.some((l) => /^SCAN (i|images)\b/.test(l)),
        ctx
      ).toBe(false)
    }
  })

  it('whole library: histograms and tag counts group along an index, no table scans', () => {
    for (const r of statsRuns({})) {
      const lines = plan(r)
      const ctx = `${r.sql}\n${lines.join('\n')}`
      // the kept summaries (migration 0012) are O(datasets × distinct values): read whole
      for (const l of lines.filter(
        (x) =>
          /^SCAN /.test(x) && !/^SCAN (dataset_stats|tag_counts|caption_bins|size_counts)\b/.test(x)
      ))
        expect(l, ctx).toMatch(/USING (COVERING )?INDEX /)
      if (/FROM (caption_metrics|tags|tag_stats)\b/.test(r.sql) && !/journal/.test(r.sql))
        expect(
          lines.some((l) => l.includes('TEMP B-TREE')),
          ctx
        ).toBe(false)
    }
  })

  it('other filters still run, joined to images', () => {
    for (const f of [
      { datasetId: ds, status: ['approved' as const] },
      { tags: ['cat'] },
      { datasetId: ds, search: '广州塔' }
    ]) {
      const runs = statsRuns(f)
      for (const r of runs)
        expect(
          plan(r).filter((l) => /^SCAN (i|images)$/.test(l)),
          r.sql
        ).toEqual([])
    }
  })
})

describe('statistics are kept at write time', () => {
  it('caption edits, tag edits and moves between datasets show up without a refill', () => {
    const id = (
      db
        .prepare(
          `SELECT id FROM images WHERE dataset_id = ? AND error IS NULL
            AND id NOT IN (SELECT image_id FROM captions) AND tags_text = '' LIMIT 1`
        )
        .get(other) as { id: number }
    ).id
    const before = captionLengthStats(db, { datasetId: other })
    const tagsBefore = tagStats(db, { datasetId: other }, 100)
    const text = 'a caption long enough to land in a bin of its own 🐼'.repeat(3)
    db.prepare(
      `INSERT INTO captions (image_id, lang, text, source, updated_at) VALUES (?, 'en', ?, 'manual', 0)`
    ).run(id, text)
    db.prepare(`INSERT INTO tags (image_id, position, tag) VALUES (?, 0, 'stats_plan_tag')`).run(id)
    const after = captionLengthStats(db, { datasetId: other })
    expect(after.langs.en.captions).toBe(before.langs.en.captions + 1)
    const bin = Math.min(Math.floor(text.length / 20), 49)
    expect(after.langs.en.chars.bins[bin]).toBe(before.langs.en.chars.bins[bin]! + 1)
    const clip = estimateTokens(text, 'clip')
    expect(after.langs.en.clip.bins[Math.min(Math.floor(clip / 8), 39)]).toBeGreaterThan(0)
    const tagsAfter = tagStats(db, { datasetId: other }, 100)
    expect(tagsAfter.top.find((t) => t.tag === 'stats_plan_tag')?.count).toBe(1)
    expect(tagsAfter.occurrences).toBe(tagsBefore.occurrences + 1)

    // the image moves to the first dataset: its caption and tag go with it
    db.prepare('UPDATE images SET dataset_id = ? WHERE id = ?').run(ds, id)
    expect(captionLengthStats(db, { datasetId: other }).langs.en.captions).toBe(
      before.langs.en.captions
    )
    expect(tagStats(db, { datasetId: ds }, 100).top.some((t) => t.tag === 'stats_plan_tag')).toBe(
      true
    )
    // emptied, then deleted with its image: gone everywhere
    db.prepare(`UPDATE captions SET text = '' WHERE image_id = ? AND lang = 'en'`).run(id)
    const emptied = captionLengthStats(db, { datasetId: ds })
    db.prepare('DELETE FROM images WHERE id = ?').run(id)
    const gone = captionLengthStats(db, { datasetId: ds })
    expect(gone.langs.en.empty).toBe(emptied.langs.en.empty - 1)
    expect(tagStats(db, {}, 100).top.some((t) => t.tag === 'stats_plan_tag')).toBe(false)
    // the per-dataset path and the generic join agree with a recount from the captions
    const direct = db
      .prepare(
        `SELECT count(*) AS n FROM captions c JOIN images i ON i.id = c.image_id
          WHERE i.dataset_id = ? AND c.lang = 'zh' AND c.text <> ''`
      )
      .get(ds) as { n: number }
    expect(captionLengthStats(db, { datasetId: ds }).langs.zh.captions).toBe(direct.n)
    expect(captionLengthStats(db, { datasetId: ds, hasError: false }).langs.zh.chars.bins).toEqual(
      captionLengthStats(db, { datasetId: ds }).langs.zh.chars.bins
    )
  })
})
