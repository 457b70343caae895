/**
 * What the studio needs from the core to manage datasets and imports (issue 15): delete a dataset
 * as one undoable batch (rows snapshotted, files untouched) — by a job when it is big —, refuse
 * an empty import before anything is created, mark an unfinished import on the dataset, count a
 * folder before importing it, expand `~`, browse folders only inside the allowed roots, journal
 * labels that name the image, and an undo that refuses to undo something it was not shown.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { closeDatabase, openDatabase } from '../../src-main/core/db/open'
import { BULK_SYNC_LIMIT } from '../../src-main/shared/api'
import { expandHome, listFolder } from '../../src-main/core/import/browse'
import { describeError } from '../../src-main/core/jobs/errors'
import { seedLibrary } from '../db/helpers'
import { runGlossa, cliJson } from '../fixtures/cli'

let dir: string
let core: Core
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glossa-studio-core-'))
})
afterEach(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function png(file: string, w = 40, h = 30, r = 200): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true })
  await sharp({ create: { width: w, height: h, channels: 3, background: { r, g: 90, b: 40 } } })
    .png()
    .toFile(file)
}

/** A folder of 3 images (2 captioned), an orphan caption, a broken "image", a duplicate. */
async function folder(): Promise<string> {
  const src = path.join(dir, 'src', 'towers')
  await png(path.join(src, 'a.png'), 40, 30, 10)
  await png(path.join(src, 'b.png'), 40, 30, 20)
  await fs.promises
    .copyFile(path.join(src, 'a.png'), path.join(src, 'sub', 'a-copy.png'))
    .catch(async () => {
      await fs.promises.mkdir(path.join(src, 'sub'), { recursive: true })
      await fs.promises.copyFile(path.join(src, 'a.png'), path.join(src, 'sub', 'a-copy.png'))
    })
  await fs.promises.writeFile(path.join(src, 'a.txt'), '夜幕下的广州塔')
  await fs.promises.writeFile(path.join(src, 'B.caption'), 'a tall tower')
  await fs.promises.writeFile(path.join(src, 'lonely.txt'), 'no image has this stem')
  await fs.promises.writeFile(path.join(src, 'broken.jpg'), 'this is not a jpeg')
  return src
}

async function importFolder(src: string, name?: string): Promise<number> {
  const r = await core.call('import.start', { dir: src, ...(name ? { datasetName: name } : {}) })
  const job = await core.waitForJob(r.jobId)
  expect(job.status).toBe('done')
  return r.datasetId
}

describe('datasets.delete', () => {
  it('removes a dataset and its rows as one batch, leaves the files, and undo/redo round-trip it', async () => {
    core = createCore({ dataDir: path.join(dir, 'data'), actor: 'tester' })
    const src = await folder()
    const before = await Promise.all(
      ['a.png', 'b.png', 'a.txt'].map((f) => fs.promises.readFile(path.join(src, f)))
    )
    const id = await importFolder(src)
    const other = await core.call('datasets.create', { name: 'keep me' })
    const page = await core.call('images.page', { filter: { datasetId: id }, limit: 10 })
    const a = page.rows.find((r) => r.fileName === 'a.png')!
    await core.call('images.setStatus', { ids: [a.id], status: 'approved' })
    await core.call('captions.setText', { imageId: a.id, lang: 'en', text: 'edited by hand' })
    const entry = await core.call('glossary.save', {
      datasetId: id,
      entry: { kind: 'landmark', name: { zh: '广州塔', en: 'Canton Tower' } }
    })
    await core.call('cleanup.rules.save', {
      datasetId: id,
      rules: [{ id: 'r1', find: 'tall', replace: 'high' }]
    })
    const summary = await core.call('datasets.get', { id })

    const r = await core.call('datasets.delete', { id })
    expect(r).toMatchObject({ id, name: 'towers', images: summary.images, jobId: null })
    expect(r.batchId).not.toBeNull()
    await expect(core.call('datasets.get', { id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await core.call('datasets.list', {})).map((d) => d.name)).toEqual(['keep me'])
    await expect(core.call('images.get', { id: a.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // the source files are untouched
    const after = await Promise.all(
      ['a.png', 'b.png', 'a.txt'].map((f) => fs.promises.readFile(path.join(src, f)))
    )
    expect(after).toEqual(before)
    const [top] = await core.call('history.list', { limit: 1 })
    expect(top!.label).toBe(`Delete dataset towers (${summary.images} images)`)

    const undone = await core.call('history.undo', { batchId: r.batchId! })
    expect(undone?.id).toBe(r.batchId)
    expect(await core.call('datasets.get', { id })).toEqual(summary)
    const back = await core.call('images.get', { id: a.id })
    expect(back.status).toBe('approved')
    expect(back.captions.en?.text).toBe('edited by hand')
    expect((await core.call('glossary.list', { datasetId: id })).map((g) => g.id)).toContain(
      entry.id
    )
    expect((await core.call('cleanup.rules.get', { datasetId: id })).rules).toHaveLength(1)
    expect((await core.call('datasets.get', { id: other.id })).name).toBe('keep me')

    await core.call('history.redo', {})
    await expect(core.call('datasets.get', { id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await core.call('history.undo', {})
    expect(await core.call('datasets.get', { id })).toEqual(summary)
  })

  it('a dataset bigger than the synchronous limit is removed by a job, still one undoable batch', async () => {
    const file = path.join(dir, 'library.sqlite')
    const db = openDatabase(file)
    const n = BULK_SYNC_LIMIT + 50
    const { datasetIds } = seedLibrary(db, { datasets: 2, imagesPerDataset: n, seed: 3 })
    closeDatabase(db)
    core = createCore({ dataDir: path.join(dir, 'data'), libraryFile: file })
    const [big, small] = datasetIds as [number, number]
    const smallBefore = await core.call('datasets.get', { id: small })
    const r = await core.call('datasets.delete', { id: big })
    expect(r.jobId).not.toBeNull()
    expect(r.images).toBe(n)
    expect((await core.waitForJob(r.jobId!)).status).toBe('done')
    await expect(core.call('datasets.get', { id: big })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    expect(await core.call('datasets.get', { id: small })).toEqual(smallBefore)
    const undo = await core.call('history.undo', {})
    if (undo?.jobId !== undefined) expect((await core.waitForJob(undo.jobId)).status).toBe('done')
    const back = await core.call('datasets.get', { id: big })
    expect(back.images).toBe(n)
  })

  it('refuses while an import into the dataset runs, and names a missing dataset', async () => {
    core = createCore({ dataDir: path.join(dir, 'data') })
    const r = await core.call('import.start', { dir: await folder() })
    const err = await core.call('datasets.delete', { id: r.datasetId }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CONFLICT' })
    expect((err as Error).message).toMatch(/"towers" has a job running \(import #\d+\)/)
    await core.waitForJob(r.jobId)
    expect((await core.call('datasets.delete', { id: r.datasetId })).images).toBe(4)
    await expect(core.call('datasets.delete', { id: 77 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'dataset 77 does not exist'
    })
  })
})

describe('imports', () => {
  it('an empty folder creates nothing: no dataset, no job, and the reason names the folder', async () => {
    core = createCore({ dataDir: path.join(dir, 'data') })
    const empty = path.join(dir, 'empty')
    await fs.promises.mkdir(path.join(empty, 'nested'), { recursive: true })
    await fs.promises.writeFile(path.join(empty, 'notes.txt'), 'captions without images')
    const err = await core.call('import.start', { dir: empty }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INVALID_ARGS' })
    expect((err as Error).message).toContain(empty)
    expect((err as Error).message).toMatch(/no images/)
    expect(await core.call('datasets.list', {})).toEqual([])
    expect(await core.call('jobs.list', {})).toEqual([])
  })

  it('an import that did not finish is marked on the dataset until it is resumed', async () => {
    core = createCore({ dataDir: path.join(dir, 'data') })
    const src = await folder()
    const r = await core.call('import.start', { dir: src })
    await core.call('jobs.cancel', { id: r.jobId })
    expect((await core.waitForJob(r.jobId)).status).toBe('cancelled')
    const d = await core.call('datasets.get', { id: r.datasetId })
    expect(d.incompleteImport).toMatchObject({ jobId: r.jobId, status: 'cancelled', dir: src })
    expect((await core.call('datasets.list', {}))[0]!.incompleteImport?.jobId).toBe(r.jobId)
    await core.call('jobs.resume', { id: r.jobId })
    expect((await core.waitForJob(r.jobId)).status).toBe('done')
    expect((await core.call('datasets.get', { id: r.datasetId })).images).toBe(4)
    expect((await core.call('datasets.get', { id: r.datasetId })).incompleteImport).toBeUndefined()
    expect((await core.call('datasets.list', {}))[0]!.incompleteImport).toBeUndefined()
  })

  it('import.detect counts the folder before importing: captioned, orphans, unreadable, duplicates', async () => {
    core = createCore({ dataDir: path.join(dir, 'data') })
    const src = await folder()
    const r = await core.call('import.detect', { dir: src, totals: true })
    expect(r.totals).toMatchObject({
      images: 3,
      captioned: 2,
      uncaptioned: 1,
      orphanCaptions: 1,
      unreadable: 1,
      duplicates: 1
    })
    expect(r.totals!.examples.orphanCaptions).toEqual(['lonely.txt'])
    expect(r.totals!.examples.unreadable[0]).toMatchObject({ path: 'broken.jpg' })
    expect(r.totals!.examples.unreadable[0]!.reason).toMatch(/not an image/)
    expect(r.totals!.examples.duplicates).toEqual([['a.png', 'sub/a-copy.png']])
    // without totals the quick preview stays quick
    expect((await core.call('import.detect', { dir: src })).totals).toBeUndefined()
  })

  it('~ is the home folder in import.detect, import.start and fs.list', async () => {
    core = createCore({ dataDir: path.join(dir, 'data') })
    expect(expandHome('~')).toBe(os.homedir())
    expect(expandHome('~/corpus')).toBe(path.join(os.homedir(), 'corpus'))
    expect(expandHome('/abs/~/x')).toBe('/abs/~/x')
    const missing = `~/glossa-no-such-folder-${process.pid}`
    const err = await core.call('import.detect', { dir: missing }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'NOT_FOUND' })
    expect((err as Error).message).toContain(path.join(os.homedir(), missing.slice(2)))
    expect((err as Error).message).not.toContain(`${process.cwd()}/~`)
    const home = await core.call('fs.list', { path: '~' })
    expect(home.path).toBe(fs.realpathSync(os.homedir()))
  })
})

describe('fs.list', () => {
  it('lists sub-folders and counts images inside the roots, never leaves them', async () => {
    const root = path.join(dir, 'root')
    await png(path.join(root, 'photos', 'x.png'))
    await png(path.join(root, 'photos', 'y.jpg'.replace('.jpg', '.png')))
    await fs.promises.mkdir(path.join(root, 'photos', 'Sub 2'), { recursive: true })
    await fs.promises.mkdir(path.join(root, 'photos', 'sub 10'), { recursive: true })
    await fs.promises.mkdir(path.join(root, 'photos', '.hidden'), { recursive: true })
    await fs.promises.writeFile(path.join(root, 'photos', 'secret.txt'), 'never shown')
    const outside = path.join(dir, 'outside')
    await fs.promises.mkdir(outside)
    await fs.promises.symlink(outside, path.join(root, 'photos', 'escape'))
    const roots = [fs.realpathSync(root)]

    const top = await listFolder(undefined, { roots })
    expect(top.dirs.map((d) => d.path)).toEqual(roots)
    const l = await listFolder(path.join(root, 'photos'), { roots })
    expect(l.images).toBe(2)
    expect(l.dirs.map((d) => d.name)).toEqual(['Sub 2', 'sub 10'])
    expect(l.parent).toBe(roots[0])
    expect(JSON.stringify(l)).not.toContain('never shown')
    expect(
      (await listFolder(path.join(root, 'photos'), { roots, hidden: true })).dirs
    ).toHaveLength(3)
    await expect(listFolder(outside, { roots })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // a link inside the root that leads out is refused too
    await expect(listFolder(path.join(root, 'photos', 'escape'), { roots })).rejects.toMatchObject({
      code: 'FORBIDDEN'
    })
    await expect(listFolder(path.join(root, 'nope'), { roots })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })
})

describe('the journal names what it did', () => {
  it('labels single-image edits with the file name, and undo refuses a batch it was not shown', async () => {
    core = createCore({ dataDir: path.join(dir, 'data') })
    const id = await importFolder(await folder())
    const rows = (await core.call('images.page', { filter: { datasetId: id }, limit: 10 })).rows
    const a = rows.find((r) => r.fileName === 'a.png')!
    const b = rows.find((r) => r.fileName === 'b.png')!
    await core.call('images.setStatus', { ids: [a.id], status: 'approved' })
    await core.call('captions.setText', { imageId: b.id, lang: 'zh', text: '一座高塔' })
    await core.call('images.setStatus', { ids: [a.id, b.id], status: 'needs-work' })
    const labels = (await core.call('history.list', { limit: 3 })).map((h) => h.label)
    expect(labels).toEqual([
      'Mark 2 images as needs work',
      'Edit zh caption of b.png',
      'Approve a.png'
    ])
    const [top, second] = await core.call('history.list', { limit: 2 })
    expect(second!.imageIds).toEqual([b.id])
    // the studio showed "Undo: Edit zh caption of b.png", but something else came first
    await expect(core.call('history.undo', { batchId: second!.id })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    expect((await core.call('images.get', { id: a.id })).status).toBe('needs-work')
    expect((await core.call('history.undo', { batchId: top!.id }))?.id).toBe(top!.id)
  })

  it('job failures are put in words', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC'
    })
    expect(describeError(enospc)).toBe('the disk is full (ENOSPC)')
    const offline = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), {
        code: 'ENOTFOUND'
      })
    })
    expect(describeError(offline)).toMatch(/could not be resolved \(offline.*\(ENOTFOUND\)/)
    expect(describeError(new Error('checksum mismatch'))).toBe('checksum mismatch')
  })
})

describe('glossa datasets rename | delete', () => {
  it('renames and deletes by name or id, and glossa undo brings the dataset back', async () => {
    const lib = path.join(dir, 'cli', 'library.sqlite')
    const src = await folder()
    const imp = await runGlossa(['import', src, '--json'], { tmp: dir, library: lib })
    expect(imp.code, imp.stderr).toBe(0)
    const ren = await runGlossa(['datasets', 'rename', 'towers', 'Canton', '--json'], {
      tmp: dir,
      library: lib
    })
    expect(ren.code, ren.stderr).toBe(0)
    const renamed = cliJson<{ dataset: { id: number; name: string } }>(ren).dataset
    expect(renamed.name).toBe('Canton')
    const del = await runGlossa(['datasets', 'delete', String(renamed.id)], {
      tmp: dir,
      library: lib
    })
    expect(del.code, del.stderr).toBe(0)
    expect(del.stdout).toMatch(/Deleted dataset "Canton" \(\d+ images\).*no file was touched/)
    const ls = await runGlossa(['datasets', '--json'], { tmp: dir, library: lib })
    expect(cliJson<{ datasets: unknown[] }>(ls).datasets).toEqual([])
    expect((await runGlossa(['undo'], { tmp: dir, library: lib })).code).toBe(0)
    const back = await runGlossa(['datasets', 'ls', '--json'], { tmp: dir, library: lib })
    expect(cliJson<{ datasets: { name: string }[] }>(back).datasets.map((d) => d.name)).toEqual([
      'Canton'
    ])
    const bad = await runGlossa(['datasets', 'delete', 'nope'], { tmp: dir, library: lib })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/no dataset named "nope"/)
  })
})
