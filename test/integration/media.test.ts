import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src-main/core'
import { makeImage } from '../fixtures/generate'

let tmp = ''
let core: Core | null = null

afterEach(async () => {
  await core?.close()
  core = null
  if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true })
})

async function setup() {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-media-'))
  const src = path.join(tmp, 'src')
  await makeImage(path.join(src, 'wide.png'), { width: 600, height: 400, seed: 1 })
  // stored 300×200, EXIF orientation 6: displayed rotated a quarter turn, 200×300
  await makeImage(path.join(src, 'rotated.jpg'), {
    width: 300,
    height: 200,
    orientation: 6,
    seed: 2
  })
  await makeImage(path.join(src, 'small.webp'), { width: 40, height: 30, seed: 3 })
  await makeImage(path.join(src, 'later-corrupt.jpg'), { width: 64, height: 64, seed: 4 })
  await makeImage(path.join(src, 'bitmap.bmp'), { width: 90, height: 60, seed: 5 })
  core = createCore({ dataDir: path.join(tmp, 'data') })
  const { jobId } = await core.call('import.start', { dir: src })
  const job = await core.waitForJob(jobId)
  expect(job.status).toBe('done')
  const db = new Database(core.libraryFile, { readonly: true })
  const ids = new Map(
    (
      db.prepare('SELECT id, file_name FROM images').all() as { id: number; file_name: string }[]
    ).map((r) => [r.file_name, r.id])
  )
  db.close()
  return { src, id: (name: string) => ids.get(name)!, cacheDir: path.join(tmp, 'data', 'cache') }
}

describe('media by image id', () => {
  it('generates a 256 px WebP thumb once, caches it by sha256, and serves it again untouched', async () => {
    const { id, cacheDir } = await setup()
    const m = await core!.media(id('wide.png'), 'thumb')
    expect(m.mime).toBe('image/webp')
    expect(m.path.startsWith(path.join(cacheDir, 'thumbs', 'thumb') + path.sep)).toBe(true)
    expect(path.basename(m.path)).toMatch(/^[0-9a-f]{64}\.webp$/)
    expect(path.basename(path.dirname(m.path))).toBe(path.basename(m.path).slice(0, 2))
    const meta = await sharp(m.path).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 171])
    expect(m.size).toBe((await fs.promises.stat(m.path)).size)

    const mtimeBefore = (await fs.promises.stat(m.path)).mtimeMs
    const again = await core!.media(id('wide.png'), 'thumb')
    expect(again.path).toBe(m.path)
    expect(again.etag).toBe(m.etag)
    expect((await fs.promises.stat(m.path)).mtimeMs).toBe(mtimeBefore)

    // previews are bigger; small images are not enlarged
    const p = await core!.media(id('wide.png'), 'preview')
    expect(await sharp(p.path).metadata()).toMatchObject({
      width: 600,
      height: 400,
      format: 'webp'
    })
    const s = await core!.media(id('small.webp'), 'thumb')
    expect(await sharp(s.path).metadata()).toMatchObject({ width: 40, height: 30 })
    // BMP (decoded by Glossa itself) gets a thumb too
    const b = await core!.media(id('bitmap.bmp'), 'thumb')
    expect(await sharp(b.path).metadata()).toMatchObject({ width: 90, height: 60 })
  })

  it('concurrent requests for the same thumb share one render and leave no temp files', async () => {
    const { id } = await setup()
    const all = await Promise.all(
      Array.from({ length: 8 }, () => core!.media(id('wide.png'), 'preview'))
    )
    expect(new Set(all.map((m) => m.path)).size).toBe(1)
    const dir = path.dirname(all[0]!.path)
    expect(await fs.promises.readdir(dir)).toEqual([path.basename(all[0]!.path)])
  })

  it('applies EXIF orientation: an orientation-6 image gives a thumb with swapped dimensions', async () => {
    const { id } = await setup()
    const m = await core!.media(id('rotated.jpg'), 'thumb')
    const meta = await sharp(m.path).metadata()
    expect([meta.width, meta.height]).toEqual([171, 256])
    expect(meta.orientation ?? 1).toBe(1)
  })

  it("'full' is the source file; unknown ids, vanished and corrupt files give clear errors", async () => {
    const { id, src } = await setup()
    const full = await core!.media(id('rotated.jpg'), 'full')
    expect(full.path).toBe(path.join(src, 'rotated.jpg'))
    expect(full.mime).toBe('image/jpeg')
    expect(full.size).toBe((await fs.promises.stat(full.path)).size)

    await expect(core!.media(999_999, 'thumb')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(core!.media(-1, 'full')).rejects.toMatchObject({ code: 'INVALID_ARGS' })

    await fs.promises.rm(path.join(src, 'small.webp'))
    await expect(core!.media(id('small.webp'), 'full')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('small.webp')
    })

    // The file was fine at import, then overwritten with garbage: no thumb, a reason instead.
    const corrupt = path.join(src, 'later-corrupt.jpg')
    await fs.promises.writeFile(corrupt, 'no longer an image')
    await expect(core!.media(id('later-corrupt.jpg'), 'thumb')).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(
        new RegExp(`^${corrupt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+`)
      )
    })
  })

  it('never imports its own thumbnails when the data folder lies inside the imported folder', async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-media-'))
    const src = path.join(tmp, 'src')
    await makeImage(path.join(src, 'a.png'), { width: 300, height: 300, seed: 7 })
    core = createCore({ dataDir: path.join(src, '.glossa') })
    const first = await core.call('import.start', { dir: src })
    await core.waitForJob(first.jobId)
    const db = new Database(core.libraryFile, { readonly: true })
    try {
      const { id } = db.prepare('SELECT id FROM images').get() as { id: number }
      const thumb = await core.media(id, 'thumb')
      expect(thumb.path.startsWith(path.join(src, '.glossa'))).toBe(true)
      const again = await core.call('import.start', { dir: src })
      expect((await core.waitForJob(again.jobId)).total).toBe(1)
      expect(db.prepare('SELECT rel_path FROM images').all()).toEqual([{ rel_path: 'a.png' }])
    } finally {
      db.close()
    }
  })
})
