/**
 * Caption jobs end to end through the core: a folder of red/green/blue images imported with
 * import.start, the fixture WD tagger and the fixture vision-encoder-decoder added with
 * models.add, runs with caption.start, then what a user sees in images.get / jobs / history.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import type { JobProgress } from '../../src-main/shared/api'
import { makeJpegs } from '../fixtures/generate'
import { writeTaggerFolder } from '../fixtures/models/make-tagger'
import { writeVedFolder } from '../fixtures/models/make-ved'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')
const COLOURS = {
  red: { r: 250, g: 10, b: 10 },
  green: { r: 0, g: 220, b: 30 },
  blue: { r: 20, g: 40, b: 240 }
} as const

let tmp: string
let core: Core
let datasetId: number
let taggerId: string
let vedId: string
const ids: Record<string, number> = {}

async function idsByName(c: Core, dsId: number): Promise<Record<string, number>> {
  const page = await c.call('images.page', { filter: { datasetId: dsId }, limit: 1000 })
  return Object.fromEntries(page.rows.map((r) => [r.fileName, r.id]))
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-capjobs-'))
  const src = path.join(tmp, 'colours')
  await fs.promises.mkdir(src, { recursive: true })
  for (const [name, c] of Object.entries(COLOURS))
    for (let i = 0; i < 3; i++)
      await sharp({ create: { width: 64, height: 64, channels: 3, background: c } })
        .png()
        .toFile(path.join(src, `${name}-${i}.png`))
  await sharp({ create: { width: 4, height: 4, channels: 3, background: COLOURS.red } })
    .png()
    .toFile(path.join(src, 'tiny.png'))
  await sharp({ create: { width: 64, height: 64, channels: 3, background: COLOURS.blue } })
    .png()
    .toFile(path.join(src, 'broken.png'))
  core = createCore({ dataDir: path.join(tmp, 'data') })
  const imp = await core.call('import.start', { dir: src, datasetName: 'colours' })
  expect((await core.waitForJob(imp.jobId)).status).toBe('done')
  datasetId = imp.datasetId
  Object.assign(ids, await idsByName(core, datasetId))
  // After import the file goes bad (a disk error, a half-synced copy): only captioning sees it.
  const broken = path.join(src, 'broken.png')
  await fs.promises.writeFile(broken, (await fs.promises.readFile(broken)).subarray(0, 40))

  const tagger = await core.call('models.add', {
    dir: await writeTaggerFolder(path.join(tmp, 'models', 'wd-tiny'), { dynamicBatch: true })
  })
  taggerId = tagger.id
  const ved = await core.call('models.add', {
    dir: await writeVedFolder(path.join(tmp, 'models', 'tiny-ved'))
  })
  vedId = ved.id
})

afterAll(async () => {
  await core?.close()
  await fs.promises.rm(tmp, { recursive: true, force: true })
})

async function run(args: Record<string, unknown>) {
  const { jobId } = await core.call('caption.start', {
    target: { datasetId },
    ...args
  } as never)
  return core.waitForJob(jobId)
}

describe('caption jobs', () => {
  it('registers both fixture models with their kinds', async () => {
    const list = await core.call('models.list', {})
    expect(list.map((m) => [m.id, m.kind])).toEqual([
      [taggerId, 'tagger'],
      [vedId, 'image-to-text']
    ])
    expect(list[0]!.inputSize).toBe(448)
    const status = await core.call('models.status', {})
    expect(status.ep).toBe('cpu')
  })

  it('tags every image by colour, with scores, and records per-image errors', async () => {
    const progress: JobProgress[] = []
    const off = core.on('job.progress', (p) => progress.push(p))
    const job = await run({ modelId: taggerId })
    off()
    expect(job.status).toBe('done')
    expect(job.total).toBe(11)
    expect(job.done).toBe(9)
    expect(job.failed).toBe(2)
    const mine = progress.filter((p) => p.jobId === job.id)
    expect(mine.some((p) => p.phase === 'caption' && typeof p.rate === 'number')).toBe(true)
    for (const colour of Object.keys(COLOURS)) {
      const img = await core.call('images.get', { id: ids[`${colour}-0.png`]! })
      expect(img.tags).toContain(colour)
      for (const other of Object.keys(COLOURS))
        if (other !== colour) expect(img.tags).not.toContain(other)
      const scores = img.tagRows.map((t) => t.score!)
      expect(scores.every((s) => s > 0 && s <= 1)).toBe(true)
      expect(img.tagRows.every((t) => t.source === `model:${taggerId}:tags`)).toBe(true)
    }
    const errors = await core.call('jobs.errors', { id: job.id })
    const reasons = errors.items.map((e) => e.error).join('\n')
    expect(reasons).toMatch(/tiny\.png: image too small \(4×4/)
    expect(reasons).toContain('broken.png')
    expect(errors.items).toHaveLength(2)
    const history = await core.call('history.list', {})
    expect(history[0]).toMatchObject({ label: 'Tag with wd-tiny', items: 9 })
  })

  it('skips images already tagged by the model, and keeps a manual edit unless asked', async () => {
    const again = await run({ modelId: taggerId })
    expect(again.status).toBe('done')
    const items = (await core.call('jobs.get', { id: again.id })).items!
    expect(items).toMatchObject({ skipped: 9, failed: 2, done: 0 })

    const id = ids['green-1.png']!
    await core.call('captions.setTags', { imageId: id, tags: [{ tag: 'my own tag' }] })
    await run({ modelId: taggerId, redo: true })
    expect((await core.call('images.get', { id })).tags).toEqual(['my own tag'])

    await run({ modelId: taggerId, redo: true, overwriteManual: true })
    expect((await core.call('images.get', { id })).tags).toContain('green')
  })

  it('captions with the generative model, keeps manual captions, and one undo reverts the run', async () => {
    const manual = ids['blue-2.png']!
    await core.call('captions.setText', { imageId: manual, lang: 'en', text: 'my blue square' })
    const preview = await core.call('caption.preview', {
      imageId: ids['red-0.png']!,
      modelId: vedId
    })
    expect(preview).toMatchObject({ text: 'a red image', lang: 'en', wouldWrite: 'write' })
    expect((await core.call('images.get', { id: ids['red-0.png']! })).captions.en).toBeNull()

    const job = await run({ modelId: vedId })
    expect(job.status).toBe('done')
    for (const colour of Object.keys(COLOURS)) {
      const img = await core.call('images.get', { id: ids[`${colour}-0.png`]! })
      expect(img.captions.en).toMatchObject({
        text: `a ${colour} image`,
        source: `model:${vedId}:caption`
      })
    }
    expect((await core.call('images.get', { id: manual })).en).toBe('my blue square')

    const undone = await core.call('history.undo', {})
    expect(undone?.label).toBe('Caption with tiny-ved (en)')
    expect((await core.call('images.get', { id: ids['red-0.png']! })).captions.en).toBeNull()
    expect((await core.call('images.get', { id: manual })).en).toBe('my blue square')
    // the tags of the earlier runs are untouched by that undo
    expect((await core.call('images.get', { id: ids['red-0.png']! })).tags).toContain('red')

    await run({ modelId: vedId, overwriteManual: true })
    expect((await core.call('images.get', { id: manual })).en).toBe('a blue image')
  })
})

describe('cancel and crash', () => {
  let dir: string
  let bigDataset: number
  const N = 240

  beforeAll(async () => {
    dir = path.join(tmp, 'many')
    await makeJpegs(dir, N, 96)
    const imp = await core.call('import.start', { dir, datasetName: 'many' })
    expect((await core.waitForJob(imp.jobId)).status).toBe('done')
    bigDataset = imp.datasetId
  })

  function modelTagged(file: string, source: string): { images: number; entries: number } {
    const db = new Database(file, { readonly: true })
    try {
      const images = (
        db
          .prepare(
            `SELECT count(DISTINCT t.image_id) AS n FROM tags t JOIN images i ON i.id = t.image_id
              WHERE i.dataset_id = ? AND t.source = ?`
          )
          .get(bigDataset, source) as { n: number }
      ).n
      const entries = (
        db
          .prepare(
            `SELECT count(*) AS n FROM journal_entries e JOIN images i ON i.id = e.image_id
              WHERE i.dataset_id = ? AND e.kind = 'tags'`
          )
          .get(bigDataset) as { n: number }
      ).n
      return { images, entries }
    } finally {
      db.close()
    }
  }

  it('cancel keeps the images already finished', async () => {
    const { jobId } = await core.call('caption.start', {
      target: { datasetId: bigDataset },
      modelId: taggerId,
      batch: 2
    })
    // cancel as soon as the first chunk of results has landed
    const off = core.on('library.changed', (e) => {
      if (e.reason === 'Tag with wd-tiny') void core.call('jobs.cancel', { id: jobId })
    })
    const job = await core.waitForJob(jobId)
    off()
    expect(job.status).toBe('cancelled')
    const info = await core.call('jobs.get', { id: jobId })
    expect(info.items!.done).toBeGreaterThan(0)
    expect(info.items!.pending).toBeGreaterThan(0)
    const t = modelTagged(core.libraryFile, `model:${taggerId}:tags`)
    expect(t.images).toBe(info.items!.done)
    // undo the partial run so the crash test below starts from untagged images
    expect((await core.call('history.undo', {}))?.items).toBe(info.items!.done)
    expect(modelTagged(core.libraryFile, `model:${taggerId}:tags`).images).toBe(0)
  })

  it('a SIGKILLed run, resumed, tags every image exactly once in one undoable batch', async () => {
    const dataDir = core.dataDir
    const libraryFile = core.libraryFile
    await core.close()
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repo, 'test/fixtures/caption-child.ts'),
        dataDir,
        String(bigDataset),
        taggerId
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    let exitCode: number | null | undefined
    child.on('exit', (c) => (exitCode = c))
    const source = `model:${taggerId}:tags`
    for (;;) {
      if (exitCode !== undefined) throw new Error(`child exited (${exitCode}) early: ${stderr}`)
      let n = 0
      try {
        n = modelTagged(libraryFile, source).images
      } catch {
        n = 0
      }
      if (n > 0 && n < N) break
      await sleep(5)
    }
    child.kill('SIGKILL')
    await exited
    expect(child.signalCode).toBe('SIGKILL')
    const atKill = modelTagged(libraryFile, source).images
    expect(atKill).toBeLessThan(N)

    core = createCore({ dataDir })
    const interrupted = await core.call('jobs.list', { status: ['interrupted'] })
    const job = interrupted.find((j) => j.kind === 'caption')!
    expect(job).toBeDefined()
    await core.call('jobs.resume', { id: job.id })
    const final = await core.waitForJob(job.id)
    expect(final.status).toBe('done')
    const t = modelTagged(libraryFile, source)
    expect(t.images).toBe(N)
    // one journal entry per image: nobody was tagged twice
    expect(t.entries).toBe(N)
    const history = await core.call('history.list', {})
    expect(history[0]).toMatchObject({ label: 'Tag with wd-tiny', items: N })
    await core.call('history.undo', {})
    expect(modelTagged(libraryFile, source).images).toBe(0)
  })
})
