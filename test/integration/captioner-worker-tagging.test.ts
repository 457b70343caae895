import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceHost } from '../../src-main/core/captioning/inference/host'
import { openTagger, tagImages, type TagImageResult } from '../../src-main/core/captioning/pipeline'
import { preprocessForTagger } from '../../src-main/core/captioning/inference/preprocess'
import { expectedScore, writeTaggerFolder } from '../fixtures/models/make-tagger'

// The tagger pipeline hands file paths to the inference worker, which decodes, builds the BGR
// float tensor and runs the model; the main thread gets scores back.
let dir: string
let host: InferenceHost
const img: Record<string, string> = {}

const solid = async (
  name: string,
  w: number,
  h: number,
  c: { r: number; g: number; b: number }
) => {
  const f = path.join(dir, name)
  await sharp({ create: { width: w, height: h, channels: 3, background: c } }).toFile(f)
  img[name] = f
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-captioner-rgb-'))
  await writeTaggerFolder(path.join(dir, 'dynamic'), { dynamicBatch: true })
  await writeTaggerFolder(path.join(dir, 'fixed'), { dynamicBatch: false })
  // a large image first: it finishes decoding after the small ones that follow it
  await solid('big-red.png', 2400, 2400, { r: 255, g: 0, b: 0 })
  await solid('blue.png', 64, 64, { r: 0, g: 0, b: 255 })
  await solid('green.jpg', 300, 300, { r: 0, g: 255, b: 0 })
  await solid('white.png', 40, 90, { r: 255, g: 255, b: 255 })
  await writeFile(path.join(dir, 'broken.jpg'), 'not an image')
  img['broken.jpg'] = path.join(dir, 'broken.jpg')
  host = new InferenceHost({ idleMs: 0 })
})
afterAll(async () => {
  await host?.close()
  await rm(dir, { recursive: true, force: true })
})

const score = (r: TagImageResult | undefined, tag: string): number | undefined =>
  r?.ok ? r.tags.find((t) => t.tag === tag)?.score : undefined

describe('tagger batches decoded and run in the inference worker', () => {
  const floats = async (names: string[]): Promise<Float32Array> => {
    const per = 448 * 448 * 3
    const out = new Float32Array(names.length * per)
    for (const [i, n] of names.entries())
      out.set((await preprocessForTagger(img[n]!, { size: 448 })).data, i * per)
    return out
  }

  it('gives exactly the scores of the tensor built on the main side, batch after batch', async () => {
    const t = await openTagger(host, path.join(dir, 'dynamic'))
    const req = { spec: t.spec, inputName: t.io.inputName, outputName: t.io.outputName, size: 448 }
    const first = await host.tagFiles({
      ...req,
      files: [img['green.jpg']!, img['big-red.png']!],
      batch: 'dynamic'
    })
    expect(first.images.map((i) => i.ok)).toEqual([true, true])
    // rows follow the slots the images took as they finished decoding
    const order = first.images.map((i) => (i.ok ? i.slot : -1))
    expect([...order].sort()).toEqual([0, 1])
    const names = ['green.jpg', 'big-red.png']
    const bySlot = order.map((_, s) => names[order.indexOf(s)]!)
    const expected = await host.run(t.spec, t.io, await floats(bySlot), [2, 448, 448, 3])
    expect(first.scores?.dims).toEqual([2, 14])
    expect(Array.from(first.scores!.data)).toEqual(Array.from(expected.data))
    expect(first.images[0]).toMatchObject({ width: 300, height: 300 })

    // an unreadable file leaves no hole: the others are packed into the first rows
    const second = await host.tagFiles({
      ...req,
      files: [img['white.png']!, img['broken.jpg']!, img['blue.png']!],
      batch: 'dynamic'
    })
    expect(second.images[1]).toMatchObject({ ok: false })
    expect(second.images[1]!.ok ? '' : second.images[1]!.error).toContain('broken.jpg')
    const slots = second.images.flatMap((i, k) => (i.ok ? [[i.slot, k] as const] : []))
    const again = await floats(
      slots.sort((x, y) => x[0] - y[0]).map(([, k]) => ['white.png', 'broken.jpg', 'blue.png'][k]!)
    )
    const want = await host.run(t.spec, t.io, again, [2, 448, 448, 3])
    expect(Array.from(second.scores!.data)).toEqual(Array.from(want.data))

    // a batch of the first one's size reuses its (pooled) tensor, fully overwritten
    const third = await host.tagFiles({
      ...req,
      files: [img['blue.png']!, img['blue.png']!],
      batch: 'dynamic'
    })
    const blue = await host.run(
      t.spec,
      t.io,
      await floats(['blue.png', 'blue.png']),
      [2, 448, 448, 3]
    )
    expect(Array.from(third.scores!.data)).toEqual(Array.from(blue.data))
  })

  it('does not run the model when no file of a batch can be read', async () => {
    const t = await openTagger(host, path.join(dir, 'fixed'))
    const req = { spec: t.spec, inputName: t.io.inputName, outputName: t.io.outputName, size: 448 }
    const out = await host.tagFiles({ ...req, files: [img['broken.jpg']!], batch: 1 })
    expect(out.scores).toBeNull()
    expect(out.images).toEqual([{ ok: false, error: expect.stringContaining('broken.jpg') }])
    const err = await host
      .tagFiles({ ...req, files: [img['blue.png']!, img['white.png']!], batch: 1 })
      .catch((e: unknown) => e)
    expect(String(err)).toMatch(/2 files for a model batch of 1/)
  })

  it.each(['dynamic', 'fixed'])(
    'gives each image its own scores whatever order decoding finishes in (%s batch)',
    async (model) => {
      const tagger = await openTagger(host, path.join(dir, model))
      const files = ['big-red.png', 'broken.jpg', 'blue.png', 'green.jpg', 'white.png'].map(
        (n) => img[n]!
      )
      const results: TagImageResult[] = []
      const stats = await tagImages(
        host,
        tagger,
        files,
        { batchSize: 5, generalThreshold: 0, characterThreshold: 0, replaceUnderscores: false },
        (r) => void results.push(r)
      )
      expect(stats).toMatchObject({ done: 4, failed: 1 })
      expect(results.map((r) => r.file)).toEqual(files)
      expect(results[1]).toMatchObject({ ok: false })
      expect(results[1]!.ok ? '' : results[1]!.error).toContain('broken.jpg')
      const colours = [
        [0, { r: 255, g: 0, b: 0 }],
        [2, { r: 0, g: 0, b: 255 }],
        [3, { r: 0, g: 255, b: 0 }],
        [4, { r: 255, g: 255, b: 255 }]
      ] as const
      for (const [i, rgb] of colours) {
        for (const tag of ['red', 'green', 'blue', 'white_background', 'hatsune_miku']) {
          // JPEG and white padding move the mean colour a little: compare loosely
          expect(score(results[i], tag)).toBeCloseTo(expectedScore(tag, rgb), 1)
        }
      }
    }
  )
})
