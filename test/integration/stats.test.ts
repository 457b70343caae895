/**
 * Statistics on crafted data, checked against numbers worked out by hand: tag frequency with the
 * long tail, caption-length histograms with the CLIP-77 / mT5-256 budgets (token estimates of
 * text/tokens.ts), resolution scatter and aspect bins, kohya buckets against hand-computed
 * sd-scripts buckets (predefined, no-upscale and no-bucket modes), and review progress by status
 * and by reviewer.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { makeBucketResolutions } from '../../src-main/core/review/buckets'
import { insertImage } from '../db/helpers'

let dir: string
let core: Core
let a: number
let cId: number
let ids: number[]
const LONG_EN = Array.from({ length: 100 }, () => 'abcdefgh').join(' ')
const LONG_ZH = '山'.repeat(300)

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-stats-'))
  const db = openDatabase(path.join(dir, 'library.sqlite'))
  const mk = (name: string) =>
    Number(
      db.prepare('INSERT INTO datasets (name, created_at) VALUES (?, 1)').run(name).lastInsertRowid
    )
  a = mk('a')
  const b = mk('b')
  const c = mk('c')
  cId = c
  ids = db.transaction(() => [
    insertImage(db, a, {
      fileName: '1.png',
      width: 512,
      height: 512,
      tags: ['a', 'b', 'c'],
      zh: '一只猫',
      en: 'a cat'
    }),
    insertImage(db, a, {
      fileName: '2.png',
      width: 1024,
      height: 768,
      tags: ['a', 'b'],
      zh: '',
      en: LONG_EN
    }),
    insertImage(db, a, {
      fileName: '3.png',
      width: 768,
      height: 1024,
      tags: ['a'],
      repeats: 10,
      zh: LONG_ZH
    }),
    insertImage(db, a, { fileName: '4.png', width: 1920, height: 1080, tags: ['d'] }),
    insertImage(db, a, { fileName: '5.png', width: 300, height: 200 }),
    insertImage(db, a, { fileName: 'bad.png', width: null, height: null, error: 'not an image' })
  ])()
  // other datasets the filter must leave out
  insertImage(db, b, {
    fileName: 'x.png',
    width: 4000,
    height: 100,
    tags: ['a', 'zzz'],
    en: 'other'
  })
  for (let k = 0; k < 12; k++)
    insertImage(db, c, { fileName: `s${k}.png`, width: 100 + k * 40, height: 700 - k * 30 })
  closeDatabase(db)
  core = createCore({ dataDir: dir })
})

afterAll(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('stats', () => {
  it('tags: top N, long tail, singletons', async () => {
    const s = await core.call('stats.tags', { filter: { datasetId: a }, top: 2 })
    expect(s).toEqual({
      images: 6,
      imagesWithTags: 4,
      distinct: 4,
      occurrences: 7,
      top: [
        { tag: 'a', count: 3 },
        { tag: 'b', count: 2 }
      ],
      longTail: { tags: 2, occurrences: 2, singletons: 2 }
    })
    const all = await core.call('stats.tags', {})
    expect(all.top[0]).toEqual({ tag: 'a', count: 4 })
    expect(all.distinct).toBe(5)
  })

  it('caption lengths per language with budget lines', async () => {
    const s = await core.call('stats.captionLengths', { filter: { datasetId: a } })
    const bins = (n: number, at: Record<number, number>) =>
      Array.from({ length: n }, (_, k) => at[k] ?? 0)
    // en: 'a cat' = chars 5, clip 2+2 = 4, mt5 2+1 = 3; LONG_EN = 100 × 8 letters: chars 899,
    // clip 100+2 = 102 (> 77), mt5 200+1 = 201
    expect(s.langs.en).toEqual({
      captions: 2,
      empty: 0,
      chars: { binWidth: 20, bins: bins(50, { 0: 1, 44: 1 }), budget: null, over: 0 },
      clip: { binWidth: 8, bins: bins(40, { 0: 1, 12: 1 }), budget: 77, over: 1 },
      mt5: { binWidth: 16, bins: bins(40, { 0: 1, 12: 1 }), budget: 256, over: 0 }
    })
    // zh: '一只猫' = chars 3, clip 5, mt5 4; 300 Han = chars 300, clip 302, mt5 301 (both over)
    expect(s.langs.zh).toEqual({
      captions: 2,
      empty: 1,
      chars: { binWidth: 20, bins: bins(50, { 0: 1, 15: 1 }), budget: null, over: 0 },
      clip: { binWidth: 8, bins: bins(40, { 0: 1, 37: 1 }), budget: 77, over: 1 },
      mt5: { binWidth: 16, bins: bins(40, { 0: 1, 18: 1 }), budget: 256, over: 1 }
    })
    expect(s.estimate).toBe(true)
    // an edit is picked up (the cache follows the caption)
    await core.call('captions.setText', { imageId: ids[0]!, lang: 'en', text: LONG_EN })
    const t = await core.call('stats.captionLengths', { filter: { datasetId: a } })
    expect(t.langs.en.clip.bins[12]).toBe(2)
    expect(t.langs.en.clip.over).toBe(2)
    await core.call('history.undo', {})
    const u = await core.call('stats.captionLengths', { filter: { datasetId: a } })
    expect(u.langs.en).toEqual(s.langs.en)
  })

  it('resolution scatter and aspect histogram', async () => {
    const s = await core.call('stats.resolution', { filter: { datasetId: a } })
    expect(s.images).toBe(5)
    expect(s.unknown).toBe(1)
    expect(s.binSize).toBe(1)
    expect(s.points).toEqual([
      { width: 300, height: 200, count: 1 },
      { width: 512, height: 512, count: 1 },
      { width: 768, height: 1024, count: 1 },
      { width: 1024, height: 768, count: 1 },
      { width: 1920, height: 1080, count: 1 }
    ])
    expect(s.aspect).toHaveLength(32)
    const hit = Object.fromEntries(s.aspect.map((b, k) => [k, b.count]).filter(([, n]) => n))
    // log2(w/h) in 1/8 steps from -2: 1 → 16, 4/3 → 19, 3/4 → 12, 16/9 → 22, 3/2 → 20
    expect(hit).toEqual({ 12: 1, 16: 1, 19: 1, 20: 1, 22: 1 })
    expect(s.aspect[16]!.from).toBe(1)
    // more distinct sizes than maxPoints: binned on a coarser grid, counts kept
    const c = await core.call('stats.resolution', { filter: { datasetId: cId }, maxPoints: 10 })
    expect(c.binSize).toBeGreaterThan(1)
    expect(c.points.length).toBeLessThanOrEqual(10)
    expect(c.points.reduce((n, p) => n + p.count, 0)).toBe(12)
  })

  it('sd-scripts bucket resolutions match the hand-computed list', () => {
    expect(makeBucketResolutions([512, 512], 256, 1024, 64)).toEqual([
      [256, 832],
      [256, 896],
      [256, 960],
      [256, 1024],
      [320, 704],
      [320, 768],
      [384, 640],
      [448, 576],
      [512, 512],
      [576, 448],
      [640, 384],
      [704, 320],
      [768, 320],
      [832, 256],
      [896, 256],
      [960, 256],
      [1024, 256]
    ])
  })

  it('kohya buckets with upscale counts (predefined, no_upscale, no bucketing)', async () => {
    const filter = { datasetId: a }
    const pre = await core.call('stats.buckets', { filter, resolution: [512, 512] })
    expect(pre).toMatchObject({ images: 5, unknown: 1, weighted: 14, upscaled: 1 })
    expect(pre.predefined).toHaveLength(17)
    expect(pre.buckets).toEqual([
      { width: 448, height: 576, images: 1, weighted: 10, upscaled: 0 },
      { width: 512, height: 512, images: 1, weighted: 1, upscaled: 0 },
      { width: 576, height: 448, images: 1, weighted: 1, upscaled: 0 },
      { width: 640, height: 384, images: 2, weighted: 2, upscaled: 1 }
    ])
    const noUp = await core.call('stats.buckets', {
      filter,
      resolution: [512, 512],
      noUpscale: true
    })
    expect(noUp).toMatchObject({ upscaled: 0, predefined: [] })
    expect(noUp.buckets).toEqual([
      { width: 256, height: 192, images: 1, weighted: 1, upscaled: 0 },
      { width: 384, height: 512, images: 1, weighted: 10, upscaled: 0 },
      { width: 512, height: 384, images: 1, weighted: 1, upscaled: 0 },
      { width: 512, height: 512, images: 1, weighted: 1, upscaled: 0 },
      { width: 640, height: 384, images: 1, weighted: 1, upscaled: 0 }
    ])
    const none = await core.call('stats.buckets', {
      filter,
      resolution: [512, 512],
      enableBucket: false
    })
    expect(none.buckets).toEqual([
      { width: 512, height: 512, images: 5, weighted: 14, upscaled: 1 }
    ])
    await expect(
      core.call('stats.buckets', { filter, resolution: [1024, 1024], maxReso: 768 })
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' })
  })

  it('review progress by status and by reviewer over time', async () => {
    await core.call('settings.set', { key: 'reviewer', value: 'Ann' })
    await core.call('images.setStatus', { ids: [ids[0]!, ids[1]!], status: 'approved' })
    await core.call('settings.set', { key: 'reviewer', value: 'Bo' })
    await core.call('images.setStatus', { ids: [ids[2]!], status: 'rejected' })
    await core.call('images.setStatus', { ids: [ids[1]!], status: 'needs-work' })
    const s = await core.call('stats.review', { filter: { datasetId: a }, interval: 'day' })
    expect(s.byStatus).toEqual({ unreviewed: 3, approved: 1, rejected: 1, 'needs-work': 1 })
    const hist = await core.call('history.list', { limit: 3 })
    const day = 86_400_000
    const slots = new Set(hist.map((h) => Math.floor(h.createdAt / day) * day))
    expect(s.timeline.reduce((n, t) => n + t.count, 0)).toBe(4)
    for (const t of s.timeline) expect(slots.has(t.slot)).toBe(true)
    const per = (actor: string, status: string) =>
      s.timeline
        .filter((t) => t.actor === actor && t.status === status)
        .reduce((n, t) => n + t.count, 0)
    expect([per('Ann', 'approved'), per('Bo', 'rejected'), per('Bo', 'needs-work')]).toEqual([
      2, 1, 1
    ])
    expect(s.reviewers.map((r) => [r.actor, r.changes])).toEqual([
      ['Ann', 2],
      ['Bo', 2]
    ])
    // an undone batch no longer counts
    await core.call('history.undo', {})
    const t = await core.call('stats.review', { filter: { datasetId: a } })
    expect(t.timeline.filter((x) => x.status === 'needs-work')).toEqual([])
    expect(t.byStatus).toEqual({ unreviewed: 3, approved: 2, rejected: 1, 'needs-work': 0 })
  })
})
