/**
 * `glossa models …` and `glossa caption …` run for real as child processes (tsx on the source)
 * against a temporary library, with the generated fixture tagger (mean colour decides the tags):
 * adding good and broken model folders, captioning an imported dataset, the tags `ls` then shows,
 * the `--json` shapes, re-runs that skip finished images, and usage errors.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson, runGlossa, type CliRun } from '../fixtures/cli'
import { writeBadTaggerFolder, writeTaggerFolder } from '../fixtures/models/make-tagger'

let tmp: string
let lib: string
let models: string
let images: string

const glossa = (args: string[]): Promise<CliRun> => runGlossa(args, { tmp, library: lib })

const COLOURS = {
  red: { r: 255, g: 0, b: 0 },
  green: { r: 0, g: 255, b: 0 },
  blue: { r: 0, g: 0, b: 255 }
} as const
type Colour = keyof typeof COLOURS
const PER_COLOUR = 3

interface ModelJson {
  id: string
  kind: string
  dir: string
  numTags: number | null
  inputSize: number | null
  batch: number | 'dynamic' | null
}
interface CaptionJson {
  ok: boolean
  jobId: number
  dataset: string
  datasetId: number
  model: { id: string; kind: string; dir: string; added: boolean }
  preset: string | null
  lang: string | null
  status: string
  counts: { total: number; captioned: number; skipped: number; failed: number; pending: number }
  failed: { imageId: number; file: string; reason: string }[]
}
interface LsJson {
  images: { fileName: string; tags: string[] }[]
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-cli-caption-'))
  lib = path.join(tmp, 'lib.sqlite')
  models = path.join(tmp, 'models')
  images = path.join(tmp, 'colours')
  await writeTaggerFolder(path.join(models, 'tagger'), { dynamicBatch: true })
  await writeTaggerFolder(path.join(models, 'tagger-fixed'), { dynamicBatch: false })
  await writeBadTaggerFolder(path.join(models, 'bad-csv'), 'csv-mismatch')
  await writeBadTaggerFolder(path.join(models, 'bad-truncated'), 'truncated')
  await writeBadTaggerFolder(path.join(models, 'bad-no-csv'), 'missing-csv')
  await fs.promises.mkdir(images, { recursive: true })
  await Promise.all(
    (Object.keys(COLOURS) as Colour[]).flatMap((c) =>
      Array.from({ length: PER_COLOUR }, (_, i) =>
        // square: a tagger pads to a white square, which would dilute the mean colour
        sharp({ create: { width: 80, height: 80, channels: 3, background: COLOURS[c] } })
          .jpeg({ quality: 95 })
          .toFile(path.join(images, `${c}-${i}.jpg`))
      )
    )
  )
  const imported = await glossa(['import', images, '--dataset', 'colours'])
  expect(imported.code, imported.stderr).toBe(0)
}, 120_000)

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

describe('glossa models', () => {
  it('adds a good tagger folder and lists it', async () => {
    const dir = path.join(models, 'tagger-fixed')
    const r = await glossa(['models', 'add', dir, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<{ ok: boolean; model: ModelJson }>(r)
    expect(out.ok).toBe(true)
    expect(out.model).toMatchObject({
      id: 'tagger-fixed',
      kind: 'tagger',
      dir,
      numTags: 14,
      inputSize: 448,
      batch: 1
    })

    const ls = await glossa(['models', 'ls', '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    const listed = cliJson<{ models: ModelJson[] }>(ls).models
    expect(listed.map((m) => m.id)).toContain('tagger-fixed')

    const human = await glossa(['models', 'ls'])
    expect(human.stdout).toMatch(/tagger-fixed\s+tagger\s+.*448px, 14 tags/)
  }, 60_000)

  it.each([
    ['bad-csv', 'selected_tags.csv', /14/],
    ['bad-truncated', 'model.onnx', /load|pars/i],
    ['bad-no-csv', 'selected_tags.csv', /missing selected_tags\.csv/]
  ])(
    'refuses the broken folder %s with exit 1, naming %s',
    async (name, file, why) => {
      const dir = path.join(models, name)
      const r = await glossa(['models', 'add', dir, '--json'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(dir)
      expect(r.stderr).toContain(file)
      expect(r.stderr).toMatch(why)
      const out = cliJson<{ ok: boolean; error: { code: string; message: string } }>(r)
      expect(out.ok).toBe(false)
      expect(out.error.message).toContain(file)
      // nothing was registered
      const ls = cliJson<{ models: ModelJson[] }>(await glossa(['models', 'ls', '--json']))
      expect(ls.models.map((m) => m.dir)).not.toContain(dir)
    },
    60_000
  )
})

describe('glossa caption', () => {
  it('registers the model folder, tags every image by its colour, and ls shows the tags', async () => {
    const dir = path.join(models, 'tagger')
    const r = await glossa([
      'caption',
      '--dataset',
      'colours',
      '--model',
      dir,
      '--batch',
      '4',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<CaptionJson>(r)
    expect(out).toMatchObject({
      ok: true,
      dataset: 'colours',
      status: 'done',
      model: { id: 'tagger', kind: 'tagger', dir, added: true },
      counts: { total: 9, captioned: 9, skipped: 0, failed: 0, pending: 0 },
      failed: []
    })
    expect(typeof out.jobId).toBe('number')
    expect(r.stderr).toContain('Added model "tagger"')

    const ls = cliJson<LsJson>(await glossa(['ls', '--dataset', 'colours', '--json']))
    expect(ls.images).toHaveLength(9)
    for (const img of ls.images) {
      const colour = img.fileName.split('-')[0] as Colour
      expect(img.tags, img.fileName).toContain(colour)
      for (const other of (Object.keys(COLOURS) as Colour[]).filter((c) => c !== colour))
        expect(img.tags, img.fileName).not.toContain(other)
    }
    // underscores become spaces, kaomoji keep theirs; the green character tag passes 0.85
    const green = ls.images.find((i) => i.fileName.startsWith('green'))!
    expect(green.tags).toEqual(expect.arrayContaining(['hatsune miku', '^_^']))
    const red = ls.images.find((i) => i.fileName.startsWith('red'))!
    expect(red.tags).toContain('red theme')
  }, 90_000)

  it('skips images the model already captioned on a re-run (the folder is not added twice)', async () => {
    const r = await glossa([
      'caption',
      '--dataset',
      'colours',
      '--model',
      path.join(models, 'tagger'),
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const out = cliJson<CaptionJson>(r)
    expect(out.model.added).toBe(false)
    expect(out.counts).toMatchObject({ total: 9, captioned: 0, skipped: 9, failed: 0 })
    expect(r.stderr).not.toContain('Added model')
    const ls = cliJson<{ models: ModelJson[] }>(await glossa(['models', 'ls', '--json']))
    expect(ls.models.filter((m) => m.dir === path.join(models, 'tagger'))).toHaveLength(1)
  }, 90_000)

  it('takes a registered model id and a threshold, and --redo captions again', async () => {
    const r = await glossa([
      'caption',
      '--dataset',
      'colours',
      '--model',
      'tagger',
      '--redo',
      '--general-threshold',
      '0.9',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    // red and green lose tags under 0.9; blue's tags are all above it, so nothing changes there
    expect(cliJson<CaptionJson>(r).counts).toMatchObject({ captioned: 6, skipped: 3, failed: 0 })
    const ls = cliJson<LsJson>(await glossa(['ls', '--dataset', 'colours', '--json']))
    const red = ls.images.find((i) => i.fileName.startsWith('red'))!
    // at 0.9 only the colour tag itself survives among general tags
    expect(red.tags).toContain('red')
    expect(red.tags).not.toContain('red theme')
    const green = ls.images.find((i) => i.fileName.startsWith('green'))!
    expect(green.tags).toEqual(['hatsune miku', 'green'])
  }, 90_000)

  it('names a missing model folder (exit 1) and rejects bad usage (exit 2)', async () => {
    const missing = path.join(tmp, 'no-such-model')
    const r = await glossa(['caption', '--dataset', 'colours', '--model', missing])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(missing)

    const ds = await glossa([
      'caption',
      '--dataset',
      'nope',
      '--model',
      path.join(models, 'tagger')
    ])
    expect(ds.code).toBe(1)
    expect(ds.stderr).toContain('no dataset named "nope"')

    const lang = await glossa([
      'caption',
      '--dataset',
      'colours',
      '--model',
      'tagger',
      '--lang',
      'fr'
    ])
    expect(lang.code).toBe(2)
    const noModel = await glossa(['caption', '--dataset', 'colours'])
    expect(noModel.code).toBe(2)
    const threshold = await glossa([
      'caption',
      '--dataset',
      'colours',
      '--model',
      'tagger',
      '--general-threshold',
      '2'
    ])
    expect(threshold.code).toBe(2)
  }, 90_000)
})
