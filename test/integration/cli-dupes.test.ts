/**
 * `glossa dupes`, run for real as a child process (tsx on the source) against a temp library
 * imported from generated pictures with planted copies: a byte-identical copy, a JPEG re-encode
 * and a 0.5× downscale. `--json` lists the exact pair as an exact group and the two near copies in
 * near groups with their originals, the suggested keeper being the bigger original; nothing else
 * is grouped. Usage errors exit 2, an unknown dataset exits 1 naming it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DupesResult } from '../../src-main/shared/api'
import { cliJson, runGlossa, type CliRun } from '../fixtures/cli'
import { makeDupesFixture, type DupesFixture } from '../fixtures/dupes-images'

let tmp: string
let lib: string
let fx: DupesFixture

const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp })

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-cli-dupes-'))
  const src = path.join(tmp, 'pictures')
  fx = await makeDupesFixture(src, { distinct: 24, perKind: 1, size: 160, seed: 21 })
  lib = path.join(tmp, 'lib.sqlite')
  const imp = await glossa(['import', src, '--dataset', 'pics', '--library', lib, '--json'])
  expect(imp.code, imp.stderr).toBe(0)
}, 120_000)

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('glossa dupes', () => {
  it('lists the planted exact and near copies, and nothing else', async () => {
    const r = await glossa(['dupes', '--dataset', 'pics', '--library', lib, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const res = cliJson<DupesResult & { ok: boolean; dataset: string }>(r)
    expect(res.ok).toBe(true)
    expect(res.dataset).toBe('pics')
    expect(res.threshold).toBe(6)
    expect(res.hashed).toBe(24 + 3)
    expect(res.unhashed).toBe(0)
    const names = (g: DupesResult['groups'][number]) =>
      g.images.map((i) => i.fileName).sort((a, b) => a.localeCompare(b))
    const base = (f: string) => path.basename(f)

    const exact = fx.planted.find((p) => p.kind === 'exact')!
    const exactGroups = res.groups.filter((g) => g.kind === 'exact')
    expect(exactGroups.map(names)).toEqual([[base(exact.copy), base(exact.original)].sort()])
    expect(exactGroups[0]!.images.every((i) => i.distance === 0)).toBe(true)

    const near = res.groups.filter((g) => g.kind === 'near')
    for (const kind of ['reencode', 'resize'] as const) {
      const p = fx.planted.find((x) => x.kind === kind)!
      const g = near.find((x) => names(x).includes(base(p.copy)))
      expect(g, `${kind} copy ${base(p.copy)} is grouped`).toBeDefined()
      expect(names(g!)).toEqual([base(p.copy), base(p.original)].sort())
      if (kind === 'resize') {
        // the full-size original is the suggested keeper, listed first
        const keep = g!.images.find((i) => i.id === g!.suggestedKeep)!
        expect(keep.fileName).toBe(base(p.original))
        expect(g!.images[0]!.id).toBe(g!.suggestedKeep)
        expect(keep.width).toBe(160)
      }
    }
    expect(res.groups).toHaveLength(3)
    expect(res.totalGroups).toBe(3)
  })

  it('prints the groups for people, the keeper marked', async () => {
    const r = await glossa(['dupes', '--dataset', 'pics', '--library', lib])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/3 groups of duplicates in "pics"/)
    expect(r.stdout).toMatch(/exact copies/)
    expect(r.stdout).toMatch(/near copies/)
    expect(r.stdout.match(/^ *keep\b/gm)?.length).toBe(3)
  })

  it('threshold 0 keeps only hash-identical near copies', async () => {
    const r = await glossa([
      'dupes',
      '--dataset',
      'pics',
      '--threshold',
      '0',
      '--library',
      lib,
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const res = cliJson<DupesResult>(r)
    expect(res.threshold).toBe(0)
    expect(res.groups.filter((g) => g.kind === 'exact')).toHaveLength(1)
    for (const g of res.groups) expect(g.maxDistance).toBe(0)
  })

  it('exits 2 on a bad threshold and 1 on an unknown dataset', async () => {
    const bad = await glossa(['dupes', '--dataset', 'pics', '--threshold', '40', '--library', lib])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/threshold/)
    const missing = await glossa(['dupes', '--dataset', 'nope', '--library', lib, '--json'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no dataset named "nope"/)
    expect(cliJson<{ ok: boolean }>(missing).ok).toBe(false)
  })
})
