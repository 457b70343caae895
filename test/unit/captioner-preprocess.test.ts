import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  PreprocessError,
  concatBatch,
  preprocessForTagger
} from '../../src-main/core/captioning/inference/preprocess'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-preprocess-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** BGR triple at (x, y) of an NHWC single-image tensor of side `size`. */
const px = (t: Float32Array, size: number, x: number, y: number): number[] =>
  Array.from(t.subarray((y * size + x) * 3, (y * size + x) * 3 + 3))

describe('preprocessForTagger (formats.md §5)', () => {
  it('composites a transparent PNG onto white', async () => {
    const f = path.join(dir, 'clear.png')
    // fully transparent black: every pixel must come out white (255), not black
    await sharp({
      create: { width: 16, height: 16, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } }
    })
      .png()
      .toFile(f)
    const { data } = await preprocessForTagger(f, { size: 16 })
    expect(data).toHaveLength(16 * 16 * 3)
    expect(data.every((v) => v === 255)).toBe(true)
  })

  it('blends partial alpha with white and outputs BGR float 0–255', async () => {
    const f = path.join(dir, 'half.png')
    await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } }
    })
      .png()
      .toFile(f)
    const { data } = await preprocessForTagger(f, { size: 8 })
    const [b, g, r] = px(data, 8, 4, 4)
    expect(r).toBe(255)
    expect(b).toBeGreaterThan(120)
    expect(b).toBeLessThan(135)
    expect(g).toBe(b)
  })

  it('pads to a centred white square with the odd pixel at the bottom', async () => {
    const f = path.join(dir, 'strip.png')
    // 3×2 pure blue: pad_y = 1 → pad_t = 0, the extra white row goes to the bottom
    await sharp({
      create: { width: 3, height: 2, channels: 3, background: { r: 0, g: 0, b: 255 } }
    })
      .png()
      .toFile(f)
    const { data, width, height } = await preprocessForTagger(f, { size: 3 })
    expect([width, height]).toEqual([3, 2])
    expect(px(data, 3, 1, 0)).toEqual([255, 0, 0])
    expect(px(data, 3, 1, 1)).toEqual([255, 0, 0])
    expect(px(data, 3, 1, 2)).toEqual([255, 255, 255])
  })

  it('applies EXIF orientation before padding', async () => {
    // stored 100×50: left half red, right half blue; orientation 6 = rotate 90° clockwise,
    // so it displays 50×100 with red on top and blue below, padded white left and right
    const left = await sharp({
      create: { width: 50, height: 50, channels: 3, background: { r: 255, g: 0, b: 0 } }
    })
      .png()
      .toBuffer()
    const f = path.join(dir, 'rotated.jpg')
    await sharp({
      create: { width: 100, height: 50, channels: 3, background: { r: 0, g: 0, b: 255 } }
    })
      .composite([{ input: left, left: 0, top: 0 }])
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toFile(f)
    const { data, width, height } = await preprocessForTagger(f, { size: 100 })
    expect([width, height]).toEqual([50, 100])
    const [tb, tg, tr] = px(data, 100, 50, 10)
    expect(tr).toBeGreaterThan(240)
    expect(tb).toBeLessThan(15)
    expect(tg).toBeLessThan(15)
    const [bb, , br] = px(data, 100, 50, 90)
    expect(bb).toBeGreaterThan(240)
    expect(br).toBeLessThan(15)
    expect(px(data, 100, 5, 50)).toEqual([255, 255, 255])
  })

  it('resizes to the model size, keeping a flat colour flat', async () => {
    const f = path.join(dir, 'big.jpg')
    await sharp({
      create: { width: 900, height: 700, channels: 3, background: { r: 10, g: 200, b: 30 } }
    })
      .png()
      .toFile(f)
    const down = await preprocessForTagger(f, { size: 64 })
    expect(down.data).toHaveLength(64 * 64 * 3)
    expect(px(down.data, 64, 32, 32)).toEqual([30, 200, 10])
    // the top and bottom bands are the white pad
    expect(px(down.data, 64, 32, 1)).toEqual([255, 255, 255])
    const small = path.join(dir, 'small.png')
    await sharp({
      create: { width: 20, height: 20, channels: 3, background: { r: 10, g: 200, b: 30 } }
    })
      .png()
      .toFile(small)
    const up = await preprocessForTagger(small, { size: 64, interpolation: 'bicubic' })
    expect(px(up.data, 64, 32, 32)).toEqual([30, 200, 10])
  })

  it('reports an undecodable file by name', async () => {
    const f = path.join(dir, 'broken.png')
    await import('node:fs/promises').then((fs) => fs.writeFile(f, 'not an image'))
    const err = await preprocessForTagger(f, { size: 8 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PreprocessError)
    expect((err as PreprocessError).message).toContain(f)
  })
})

describe('concatBatch', () => {
  it('stacks images and pads a fixed batch with white', () => {
    const a = new Float32Array(12).fill(1)
    const b = new Float32Array(12).fill(2)
    const out = concatBatch([a, b], 2, 3)
    expect(out).toHaveLength(36)
    expect(out[0]).toBe(1)
    expect(out[12]).toBe(2)
    expect(out[24]).toBe(255)
    expect(() => concatBatch([a, b], 2, 1)).toThrow()
  })
})
