/**
 * Duplicate detection on generated images: 1,000 visually distinct pictures plus planted copies
 * (byte-identical, JPEG re-encoded at quality 45, downscaled 0.5×), imported through the real
 * import job. dupes.find starts the background 'phash' job and waits for it; at the default
 * threshold every planted pair must be found (≥ 95% required) and no group may join two of the
 * distinct images. The multi-index search is checked against brute force, and keeping the best of
 * a group is one undoable batch.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { DUPES_DEFAULT_THRESHOLD, type DupesResult, type Page } from '../../src-main/shared/api'
import { nearComponents } from '../../src-main/core/review/dupes'
import { popcount32 } from '../../src-main/core/review/phash'
import { prng } from '../db/helpers'
import { makeDupesFixture, type DupesFixture } from '../fixtures/dupes-images'

let dir: string
let core: Core
let fx: DupesFixture
let datasetId: number
let idOf: Map<string, number>
let removed: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-dupes-'))
  const src = path.join(dir, 'src')
  fx = await makeDupesFixture(src, { distinct: 1000, perKind: 40 })
  // a file that disappears after import: its hash cannot be computed
  removed = path.join(src, 'gone.png')
  fs.copyFileSync(fx.distinct[999]!, removed)
  core = createCore({ dataDir: path.join(dir, 'data'), actor: 'deduper' })
  const imp = await core.call('import.start', { dir: src, datasetName: 'dupes' })
  expect((await core.waitForJob(imp.jobId)).status).toBe('done')
  datasetId = imp.datasetId
  fs.rmSync(removed)
  idOf = new Map()
  let cursor: string | null = null
  do {
    const page: Page = await core.call('images.page', {
      filter: { datasetId },
      limit: 1000,
      cursor,
      withTotal: false
    })
    for (const r of page.rows) idOf.set(r.fileName, r.id)
    cursor = page.nextCursor
  } while (cursor)
}, 300_000)

afterAll(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const id = (file: string) => idOf.get(path.basename(file))!

function groupOf(res: DupesResult): Map<number, string[]> {
  const m = new Map<number, string[]>()
  for (const g of res.groups)
    for (const img of g.images) m.set(img.id, [...(m.get(img.id) ?? []), g.id])
  return m
}

describe('dupes.find', () => {
  let res: DupesResult

  it('hashes in the background, then finds the planted pairs and no false pair', async () => {
    res = await core.call('dupes.find', { datasetId })
    expect(res.threshold).toBe(DUPES_DEFAULT_THRESHOLD)
    expect(res.hashJobId).toEqual(expect.any(Number))
    const job = await core.call('jobs.get', { id: res.hashJobId! })
    const total = fx.distinct.length + fx.planted.length + 1
    expect(job).toMatchObject({ kind: 'phash', status: 'done', total })
    expect(job.items).toMatchObject({ done: total - 1, failed: 1 })
    const errors = await core.call('jobs.errors', { id: res.hashJobId! })
    expect(errors.items[0]!.error).toContain('gone.png')
    expect(res).toMatchObject({ hashed: total - 1, unhashed: 1 })

    const groups = groupOf(res)
    const found = fx.planted.filter((p) => {
      const a = groups.get(id(p.original)) ?? []
      const b = groups.get(id(p.copy)) ?? []
      return a.some((g) => b.includes(g))
    })
    const byKind = (k: string) => found.filter((p) => p.kind === k).length
    console.log(
      `planted pairs found: ${found.length}/${fx.planted.length} (exact ${byKind('exact')}, reencode ${byKind('reencode')}, resize ${byKind('resize')}); groups ${res.totalGroups}`
    )
    expect(found.length / fx.planted.length).toBeGreaterThanOrEqual(0.95)
    expect(byKind('exact')).toBe(40)
    // exact copies form sha256 groups
    const exact = fx.planted.find((p) => p.kind === 'exact')!
    const g = res.groups.find((x) => x.images.some((i) => i.id === id(exact.original)))!
    expect(g.kind).toBe('exact')
    expect(g.images.map((i) => i.id).sort()).toEqual([id(exact.original), id(exact.copy)].sort())

    // no group joins two distinct generated images
    const distinctIds = new Set(fx.distinct.map(id))
    for (const grp of res.groups)
      expect(grp.images.filter((i) => distinctIds.has(i.id)).length, grp.id).toBeLessThanOrEqual(1)
    // plus the file that could not be hashed: a byte copy of a distinct image (sha256 group)
    const gone = res.groups.find((x) => x.images.some((i) => i.fileName === 'gone.png'))!
    expect(gone.kind).toBe('exact')
    expect(gone.images.map((i) => i.id).sort()).toEqual(
      [id(fx.distinct[999]!), idOf.get('gone.png')].sort()
    )
    expect(res.totalGroups).toBe(found.length + 1)
  }, 300_000)

  it('describes each group side by side and suggests the biggest file to keep', () => {
    const resize = fx.planted.find((p) => p.kind === 'resize')!
    const g = res.groups.find((x) => x.images.some((i) => i.id === id(resize.copy)))!
    expect(g.kind).toBe('near')
    expect(g.suggestedKeep).toBe(id(resize.original))
    expect(g.images[0]).toMatchObject({
      id: id(resize.original),
      width: 192,
      height: 192,
      distance: 0
    })
    expect(g.images[1]).toMatchObject({ id: id(resize.copy), width: 96, height: 96 })
    expect(g.images[1]!.distance).toBeLessThanOrEqual(DUPES_DEFAULT_THRESHOLD)
    expect(g.images[1]!.phash).toMatch(/^[0-9a-f]{16}$/)
  })

  it('the threshold is adjustable; a second call reuses the stored hashes', async () => {
    const strict = await core.call('dupes.find', { datasetId, threshold: 0 })
    expect(strict.hashJobId).toBeNull()
    expect(strict.groups.every((g) => g.maxDistance === 0)).toBe(true)
    expect(strict.unhashed).toBe(1)
    expect(strict.totalGroups).toBeLessThan(res.totalGroups)
    expect(strict.totalGroups).toBeGreaterThanOrEqual(40)
  })

  it('keeping the best of a group rejects (or deletes) the others as one undoable batch', async () => {
    const g = res.groups.find((x) => x.kind === 'near')!
    const others = g.images.map((i) => i.id).filter((i) => i !== g.suggestedKeep)
    const kept = await core.call('dupes.keep', { keep: [g.suggestedKeep], others })
    expect(kept).toMatchObject({ changed: others.length, jobId: null })
    for (const o of others)
      expect((await core.call('images.get', { id: o })).status).toBe('rejected')
    expect((await core.call('images.get', { id: g.suggestedKeep })).status).toBe('unreviewed')
    await core.call('history.undo', {})
    for (const o of others)
      expect((await core.call('images.get', { id: o })).status).toBe('unreviewed')

    const del = await core.call('dupes.keep', { keep: [g.suggestedKeep], others, action: 'delete' })
    expect(del.changed).toBe(others.length)
    await expect(core.call('images.get', { id: others[0]! })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    await core.call('history.undo', {})
    expect((await core.call('images.get', { id: others[0]! })).fileName).toBeTruthy()
    await expect(
      core.call('dupes.keep', { keep: [g.suggestedKeep], others: [g.suggestedKeep] })
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' })
  })
})

describe('multi-index hashing', () => {
  it('finds exactly the pairs brute force finds, for every threshold', async () => {
    const rnd = prng(99)
    const u32 = () => Math.floor(rnd() * 2 ** 32) >>> 0
    const hi: number[] = []
    const lo: number[] = []
    for (let i = 0; i < 3000; i++) {
      hi.push(u32())
      lo.push(u32())
    }
    // near copies with 0..14 flipped bits
    for (let i = 0; i < 400; i++) {
      let h = hi[i]!
      let l = lo[i]!
      const flips = i % 15
      for (let k = 0; k < flips; k++) {
        const bit = Math.floor(rnd() * 64)
        if (bit < 32) h = (h ^ (1 << bit)) >>> 0
        else l = (l ^ (1 << (bit - 32))) >>> 0
      }
      hi.push(h)
      lo.push(l)
    }
    const H = Uint32Array.from(hi)
    const L = Uint32Array.from(lo)
    for (const t of [0, 3, 4, 6, 7, 8, 11, 12]) {
      const uf = await nearComponents(H, L, t)
      // brute force components
      const parent = Array.from({ length: H.length }, (_, i) => i)
      const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)))
      for (let i = 0; i < H.length; i++)
        for (let j = i + 1; j < H.length; j++)
          if (popcount32(H[i]! ^ H[j]!) + popcount32(L[i]! ^ L[j]!) <= t) {
            const a = find(i)
            const b = find(j)
            if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
          }
      for (let i = 0; i < H.length; i++) expect(uf.find(i), `t=${t} i=${i}`).toBe(find(i))
    }
  }, 120_000)
})
