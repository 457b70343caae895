import { describe, expect, it } from 'vitest'
import type { Quad } from '../../src-main/core/captioning/ocr/geometry'
import { cropGeometry, detTensor, writeRecCrop } from '../../src-main/core/captioning/ocr/image'

/** An RGB image from a function of the pixel position. */
function image(w: number, h: number, px: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8Array(w * h * 3)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 3)
  }
  return data
}

// detector normalisation per tensor channel (B, G, R)
const norm = (v: number, c: 0 | 1 | 2) =>
  (v / 255 - [0.485, 0.456, 0.406][c]!) / [0.229, 0.224, 0.225][c]!

describe('detTensor', () => {
  it('writes B, G, R planes, normalised, and repeats the edge into the padding', () => {
    // 3 × 2: red, green, blue / white, black, grey
    const px: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
      [0, 0, 0],
      [128, 128, 128]
    ]
    const rgb = image(3, 2, (x, y) => px[y * 3 + x]!)
    const t = detTensor(rgb, 3, 2, 4, 3, 3, 2)
    const at = (c: 0 | 1 | 2, x: number, y: number) => t[c * 12 + y * 4 + x]!
    expect(at(0, 0, 0)).toBeCloseTo(norm(0, 0), 5) // red pixel: blue plane 0
    expect(at(2, 0, 0)).toBeCloseTo(norm(255, 2), 5) // red plane 255
    expect(at(0, 2, 0)).toBeCloseTo(norm(255, 0), 5) // blue pixel
    expect(at(1, 1, 0)).toBeCloseTo(norm(255, 1), 5) // green pixel
    // padding column 3 repeats column 2, padding row 2 repeats row 1
    for (const c of [0, 1, 2] as const) {
      expect(at(c, 3, 0)).toBe(at(c, 2, 0))
      expect(at(c, 3, 1)).toBe(at(c, 2, 1))
      for (let x = 0; x < 4; x++) expect(at(c, x, 2)).toBe(at(c, x, 1))
    }
  })

  it('shrinks with a box filter, then bilinear', () => {
    // 8 × 4: left half white, right half black → 4 × 2
    const rgb = image(8, 4, (x) => (x < 4 ? [255, 255, 255] : [0, 0, 0]))
    const t = detTensor(rgb, 8, 4, 4, 2)
    const row = [...t.subarray(0, 4)]
    expect(row[0]).toBeCloseTo(norm(255, 0), 5)
    expect(row[1]).toBeCloseTo(norm(255, 0), 5)
    expect(row[2]).toBeCloseTo(norm(0, 0), 5)
    expect(row[3]).toBeCloseTo(norm(0, 0), 5)
  })

  it('enlarges bilinearly with half-pixel centres', () => {
    const rgb = image(2, 1, (x) => (x === 0 ? [0, 0, 0] : [255, 255, 255]))
    const t = detTensor(rgb, 2, 1, 4, 1)
    // source x of output columns: -0.25→0, 0.25, 0.75, 1.25→1
    const v = [...t.subarray(0, 4)].map((n) => (n * 0.229 + 0.485) * 255)
    expect(v.map((x) => Math.round(x) + 0)).toEqual([0, 64, 191, 255])
  })
})

/** The detector input by the direct formula: box-average by integer factors, then 4-tap bilinear. */
function detReference(
  rgb: Uint8Array,
  w: number,
  h: number,
  dw: number,
  dh: number,
  cw: number,
  ch: number
) {
  const fx = Math.max(1, Math.floor(w / cw))
  const fy = Math.max(1, Math.floor(h / ch))
  const rw = Math.floor(w / fx)
  const rh = Math.floor(h / fy)
  const red = (x: number, y: number, c: number): number => {
    let s = 0
    for (let j = 0; j < fy; j++)
      for (let i = 0; i < fx; i++) s += rgb[((y * fy + j) * w + x * fx + i) * 3 + c]!
    return Math.fround(s / (fx * fy))
  }
  const out = new Float32Array(3 * dw * dh)
  for (let y = 0; y < dh; y++) {
    const ry = Math.min(Math.max((((y + 0.5) * h) / ch - 0.5 - (fy - 1) / 2) / fy, 0), rh - 1)
    const y0 = Math.floor(ry)
    const y1 = Math.min(y0 + 1, rh - 1)
    for (let x = 0; x < dw; x++) {
      const rx = Math.min(Math.max((((x + 0.5) * w) / cw - 0.5 - (fx - 1) / 2) / fx, 0), rw - 1)
      const x0 = Math.floor(rx)
      const x1 = Math.min(x0 + 1, rw - 1)
      const [wx, wy] = [rx - x0, ry - y0]
      for (let c = 0; c < 3; c++) {
        const v =
          red(x0, y0, c) * (1 - wx) * (1 - wy) +
          red(x1, y0, c) * wx * (1 - wy) +
          red(x0, y1, c) * (1 - wx) * wy +
          red(x1, y1, c) * wx * wy
        out[(2 - c) * dw * dh + y * dw + x] = norm(v, (2 - c) as 0 | 1 | 2)
      }
    }
  }
  return out
}

describe('detTensor against the direct formula', () => {
  // noise, so every interpolation weight matters
  let s = 7
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24
  it.each([
    [97, 61, 64, 64, 50, 31], // shrink < 2×: bilinear only
    [200, 90, 96, 64, 96, 43], // 2× box then bilinear
    [301, 47, 96, 32, 96, 14], // 3× box then bilinear, padding rows
    [20, 13, 64, 32, 40, 26] // enlarge
  ])('%i×%i → %i×%i (content %i×%i)', (w, h, dw, dh, cw, ch) => {
    const rgb = image(w, h, () => [rnd(), rnd(), rnd()])
    const want = detReference(rgb, w, h, dw, dh, cw, ch)
    const got = detTensor(rgb, w, h, dw, dh, cw, ch)
    // a reused buffer (holding an earlier image) gives the same tensor
    const buf = new Float32Array(3 * dw * dh).fill(9)
    expect(detTensor(rgb, w, h, dw, dh, cw, ch, buf)).toBe(buf)
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5)
      expect(buf[i]).toBe(got[i])
    }
  })

  it('rejects a buffer of the wrong size', () => {
    expect(() => detTensor(new Uint8Array(12), 2, 2, 32, 32, 2, 2, new Float32Array(10))).toThrow(
      /10 floats/
    )
  })
})

describe('writeRecCrop', () => {
  const H = 48

  it('rectifies a box to height 48, normalised to [-1, 1], and leaves the padding at 0', () => {
    // 200 × 40: black left half, white right half
    const rgb = image(200, 40, (x) => (x < 100 ? [0, 0, 0] : [255, 255, 255]))
    const quad: Quad = [
      [0, 0],
      [199, 0],
      [199, 39],
      [0, 39]
    ]
    const g = cropGeometry(quad)
    expect(g.ratio).toBeCloseTo(199 / 39, 9)
    const tensorW = 320
    const rw = Math.ceil(48 * g.ratio)
    const out = new Float32Array(3 * H * tensorW)
    const contrast = writeRecCrop(rgb, 200, 40, g, out, 0, H, tensorW, rw)
    const row = 20 * tensorW
    expect(out[row + 10]).toBeCloseTo(-1, 5)
    expect(out[row + rw - 10]).toBeCloseTo(1, 5)
    expect(out[row + rw + 5]).toBe(0)
    expect(contrast).toBeCloseTo(1, 5)
  })

  it('turns tall crops counter-clockwise: the top ends up on the left', () => {
    // 20 × 100: black top half, white bottom half
    const rgb = image(20, 100, (_, y) => (y < 50 ? [0, 0, 0] : [255, 255, 255]))
    const g = cropGeometry([
      [0, 0],
      [19, 0],
      [19, 99],
      [0, 99]
    ])
    expect(g.rotated).toBe(true)
    const tensorW = 320
    const rw = Math.ceil(48 * g.ratio)
    const out = new Float32Array(3 * H * tensorW)
    writeRecCrop(rgb, 20, 100, g, out, 0, H, tensorW, rw)
    const row = 24 * tensorW
    expect(out[row + 5]).toBeCloseTo(-1, 5)
    expect(out[row + rw - 5]).toBeCloseTo(1, 5)
  })

  it('writes each crop of a batch to its own slot; a flat crop has no contrast', () => {
    const rgb = image(60, 20, () => [200, 100, 50])
    const g = cropGeometry([
      [0, 0],
      [59, 0],
      [59, 19],
      [0, 19]
    ])
    const tensorW = 320
    const out = new Float32Array(2 * 3 * H * tensorW)
    const contrast = writeRecCrop(rgb, 60, 20, g, out, 1, H, tensorW, 150)
    expect(out[0]).toBe(0)
    const slot = 3 * H * tensorW
    expect(out[slot]).toBeCloseTo(50 / 127.5 - 1, 5) // blue plane first
    expect(out[slot + 2 * H * tensorW]).toBeCloseTo(200 / 127.5 - 1, 5)
    expect(contrast).toBe(0)
  })
})
