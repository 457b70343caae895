import { describe, expect, it } from 'vitest'
import {
  dbPostprocess,
  detInputSize,
  roundHalfEven,
  sortBoxes
} from '../../src-main/core/captioning/ocr/det'
import type { Quad } from '../../src-main/core/captioning/ocr/geometry'
import { cropGeometry } from '../../src-main/core/captioning/ocr/image'
import {
  batchWidth,
  characterTable,
  ctcDecode,
  halfWidthLatin,
  resizedWidth,
  restoreSpaces,
  type DecodedChar
} from '../../src-main/core/captioning/ocr/rec'

describe('detector input size (DetResizeForTest, limit type max, padded not stretched)', () => {
  it('rounds halves to even like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, -2, 2, 3])
  })

  const size = (width: number, height: number, cw = width, ch = height) => ({
    width,
    height,
    contentWidth: cw,
    contentHeight: ch
  })

  it('keeps small images at their size, padded to multiples of 32', () => {
    expect(detInputSize(640, 160)).toEqual(size(640, 160))
    expect(detInputSize(100, 10)).toEqual(size(128, 32, 100, 10))
    // a 44-px strip is neither squashed to 32 nor stretched to 64
    expect(detInputSize(582, 44)).toEqual(size(608, 64, 582, 44))
  })

  it('scales the longest side down to the limit, keeping the aspect ratio', () => {
    expect(detInputSize(1920, 1080)).toEqual(size(960, 544, 960, 540))
    expect(detInputSize(1000, 3000, 960)).toEqual(size(320, 960))
    expect(detInputSize(4000, 3000, 1280)).toEqual(size(1280, 960))
  })
})

/** A probability map with rectangles of given values. */
function mapWith(
  w: number,
  h: number,
  rects: { x0: number; x1: number; y0: number; y1: number; p: number }[]
): Float32Array {
  const m = new Float32Array(w * h)
  for (const r of rects) {
    for (let y = r.y0; y <= r.y1; y++) for (let x = r.x0; x <= r.x1; x++) m[y * w + x] = r.p
  }
  return m
}

const mapSize = (w: number, h: number, cw = w, ch = h) => ({
  width: w,
  height: h,
  contentWidth: cw,
  contentHeight: ch
})

describe('DB post-processing', () => {
  it('grows a region by area × 1.6 / perimeter and scales it to the image', () => {
    const map = mapWith(200, 100, [{ x0: 40, x1: 119, y0: 40, y1: 59, p: 0.9 }])
    // rect between pixel centres 79 × 19, centre (79.5, 49.5); distance = 79·19·1.6 / (2·98)
    // = 12.25, so 103.5 × 43.5: x 27.75..131.25, y 27.75..71.25
    const [box, ...rest] = dbPostprocess(map, mapSize(200, 100), 200, 100)
    expect(rest).toEqual([])
    expect(box!.score).toBeCloseTo(0.9, 6)
    expect(box!.quad).toEqual([
      [28, 28],
      [131, 28],
      [131, 71],
      [28, 71]
    ])
    // the same map for an image 1.5 times as large: corners × 1.5, rounded
    const [big] = dbPostprocess(map, mapSize(200, 100), 300, 150)
    expect(big!.quad).toEqual([
      [42, 42],
      [197, 42],
      [197, 107],
      [42, 107]
    ])
  })

  it('scales from the part of a padded map the image covers', () => {
    const map = mapWith(200, 100, [{ x0: 40, x1: 119, y0: 40, y1: 59, p: 0.9 }])
    // the image covers 160 × 80 of the map and is 300 × 150: map coordinates × 1.875
    const [box] = dbPostprocess(map, mapSize(200, 100, 160, 80), 300, 150)
    expect(box!.quad).toEqual([
      [52, 52],
      [246, 52],
      [246, 134],
      [52, 134]
    ])
    // a box reaching into the padding is clipped to the image
    const edge = mapWith(200, 100, [{ x0: 120, x1: 180, y0: 10, y1: 30, p: 0.9 }])
    const [clipped] = dbPostprocess(edge, mapSize(200, 100, 160, 80), 300, 150)
    expect(Math.max(...clipped!.quad.map((p) => p[0]))).toBe(299)
  })

  it('drops faint regions (mean below box_thresh) and specks', () => {
    const map = mapWith(100, 50, [
      { x0: 10, x1: 60, y0: 10, y1: 20, p: 0.5 },
      { x0: 80, x1: 81, y0: 30, y1: 31, p: 1 }
    ])
    expect(dbPostprocess(map, mapSize(100, 50), 100, 50)).toEqual([])
    expect(dbPostprocess(map, mapSize(100, 50), 100, 50, { boxThresh: 0.4 })).toHaveLength(1)
  })

  it('returns boxes in reading order', () => {
    const map = mapWith(300, 120, [
      { x0: 160, x1: 280, y0: 12, y1: 22, p: 0.95 },
      { x0: 10, x1: 120, y0: 15, y1: 25, p: 0.95 },
      { x0: 10, x1: 200, y0: 80, y1: 95, p: 0.95 }
    ])
    const boxes = dbPostprocess(map, mapSize(300, 120), 300, 120)
    // top-left corners: the right box starts 3 px higher but is on the same line
    expect(boxes.map((b) => b.quad[0])).toEqual([
      [3, 8],
      [153, 5],
      [0, 69]
    ])
  })

  it('sorted_boxes: same-line boxes (top-left y within 10 px) go left to right', () => {
    const q = (x: number, y: number): { quad: Quad } => ({
      quad: [
        [x, y],
        [x + 10, y],
        [x + 10, y + 5],
        [x, y + 5]
      ]
    })
    const sorted = sortBoxes([q(100, 52), q(10, 50), q(50, 58), q(0, 90)])
    expect(sorted.map((b) => b.quad[0])).toEqual([
      [10, 50],
      [50, 58],
      [100, 52],
      [0, 90]
    ])
  })
})

describe('line crops', () => {
  it('turns tall crops (h / w ≥ 1.5) and measures the ratio after turning', () => {
    const wide = cropGeometry([
      [0, 0],
      [100, 0],
      [100, 20],
      [0, 20]
    ])
    expect(wide).toMatchObject({ cropW: 100, cropH: 20, rotated: false, ratio: 5 })
    const tall = cropGeometry([
      [0, 0],
      [20, 0],
      [20, 100],
      [0, 100]
    ])
    expect(tall).toMatchObject({ cropW: 20, cropH: 100, rotated: true, ratio: 5 })
  })

  it('batch width: at least 320, else the widest crop at height 48', () => {
    expect(batchWidth([2, 5])).toBe(320)
    expect(batchWidth([2, 10])).toBe(480)
    expect(resizedWidth(10, 480)).toBe(480)
    expect(resizedWidth(2, 320)).toBe(96)
    expect(resizedWidth(2.01, 320)).toBe(97)
  })
})

describe('CTC decoding', () => {
  const table = characterTable('a\nb\r\nc\n')
  it('reads the dictionary: blank first, space last', () => {
    expect(table).toEqual(['', 'a', 'b', 'c', ' '])
  })

  /** One-hot-ish rows: [class, probability, space probability] per time step. */
  function probs(steps: [number, number, number?][]): Float32Array {
    const C = table.length
    const p = new Float32Array(steps.length * C)
    steps.forEach(([c, prob, sp], t) => {
      const rest = (1 - prob - (sp ?? 0)) / (C - 1)
      for (let k = 0; k < C; k++) p[t * C + k] = rest
      p[t * C + c] = prob
      if (sp !== undefined && c !== C - 1) p[t * C + C - 1] = sp
    })
    return p
  }

  it('collapses repeats, drops blanks, keeps first steps and the space peak in between', () => {
    const p = probs([
      [0, 0.9],
      [1, 0.8],
      [1, 0.9],
      [0, 0.9],
      [2, 0.6],
      [0, 0.7, 0.2],
      [0, 0.9, 0.05],
      [3, 0.7],
      [3, 0.9]
    ])
    const d = ctcDecode(p, 0, 9, table.length, table)
    expect(d.text).toBe('abc')
    expect(d.chars.map((c) => c.t)).toEqual([1, 4, 7])
    expect(d.chars[2]!.spaceP).toBeCloseTo(0.2, 6)
    expect(d.chars[1]!.spaceP).toBeLessThan(0.1)
    expect(d.score).toBeCloseTo((0.8 + 0.6 + 0.7) / 3, 6)
  })

  it('a blank between two equal classes makes two characters; rows are separate', () => {
    const p1 = probs([
      [1, 0.9],
      [0, 0.9],
      [1, 0.9]
    ])
    const p2 = probs([
      [4, 0.9],
      [4, 0.9],
      [2, 0.9]
    ])
    const both = new Float32Array(p1.length + p2.length)
    both.set(p1)
    both.set(p2, p1.length)
    expect(ctcDecode(both, 0, 3, table.length, table).text).toBe('aa')
    expect(ctcDecode(both, 1, 3, table.length, table).text).toBe(' b')
    expect(ctcDecode(new Float32Array(0), 0, 0, table.length, table)).toEqual({
      text: '',
      score: 0,
      chars: []
    })
  })
})

describe('restoreSpaces', () => {
  /** chars from "x@t" tokens; `spaced` lists indices whose spaceP is 0.2 */
  const line = (s: string, spaced: number[] = []): DecodedChar[] =>
    s.split(' ').map((tok, i) => {
      const at = tok.lastIndexOf('@')
      return {
        ch: tok.slice(0, at) === '_' ? ' ' : tok.slice(0, at),
        t: Number(tok.slice(at + 1)),
        prob: 0.9,
        spaceP: spaced.includes(i) ? 0.2 : 0.001
      }
    })

  it('inserts a space where the space class peaks between two Latin letters', () => {
    // "CantonTower": the model dropped the space before T (index 6)
    const chars = line('C@24 a@28 n@32 t@35 o@39 n@43 T@49 o@52 w@57 e@62 r@65', [6])
    expect(restoreSpaces(chars)).toBe('Canton Tower')
    expect(restoreSpaces(line('C@24 a@28 n@32 t@35 o@39 n@43 T@49 o@52 w@57 e@62 r@65'))).toBe(
      'CantonTower'
    )
  })

  it('inserts a space at a very wide gap even without the space class', () => {
    expect(restoreSpaces(line('a@0 b@3 c@6 d@9 e@24 f@27'))).toBe('abcd ef')
    // a gap of 1.5 × the pitch alone is not enough: letter widths vary that much
    expect(restoreSpaces(line('m@0 w@5 i@8 l@10 e@15'))).toBe('mwile')
  })

  it('keeps spaces the model emitted and collapses doubles', () => {
    expect(restoreSpaces(line('a@1 t@3 _@5 n@7 i@9', [3]))).toBe('at ni')
    expect(restoreSpaces(line('_@0 a@2 _@4'))).toBe('a')
  })

  it('never spaces two CJK characters; spaces CJK next to Latin', () => {
    expect(restoreSpaces(line('广@2 州@9 塔@16', [1, 2]))).toBe('广州塔')
    expect(restoreSpaces(line('广@2 州@9 塔@16 C@24 a@28 n@32', [3]))).toBe('广州塔 Can')
  })

  it('no space before closing or after opening punctuation', () => {
    expect(restoreSpaces(line('o@1 k@3 ,@6 g@9 o@11', [2, 3]))).toBe('ok, go')
    expect(restoreSpaces(line('a@1 (@4 b@7 )@9', [1, 2]))).toBe('a (b)')
  })

  it('single characters and empty input', () => {
    expect(restoreSpaces([])).toBe('')
    expect(restoreSpaces(line('x@3'))).toBe('x')
  })
})

describe('halfWidthLatin', () => {
  const chars = (s: string): DecodedChar[] => [...s].map((ch, t) => ({ ch, t, prob: 1, spaceP: 0 }))
  const text = (cs: DecodedChar[]) => cs.map((c) => c.ch).join('')

  it('turns fullwidth forms into ASCII in Latin lines', () => {
    expect(text(halfWidthLatin(chars('Hello，world！Ｉｔ\u3000is')))).toBe('Hello,world!It is')
  })

  it('leaves lines with CJK characters as read', () => {
    expect(text(halfWidthLatin(chars('你好，world！')))).toBe('你好，world！')
  })
})
