import { describe, expect, it } from 'vitest'
import {
  componentPoints,
  components,
  convexHull,
  meanInConvexPolygon,
  minAreaRect,
  miniBoxOrder,
  orderClockwise,
  polygonAreaPerimeter,
  rectCorners,
  squareToQuad,
  type Point,
  type Quad
} from '../../src-main/core/captioning/ocr/geometry'

function bitmapOf(width: number, height: number, on: (x: number, y: number) => boolean) {
  const b = new Uint8Array(width * height)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) b[y * width + x] = on(x, y) ? 1 : 0
  return b
}

describe('components', () => {
  it('finds 8-connected regions in raster order, with row extents and areas', () => {
    // a 3×2 block, a diagonal pair (8-connected), and a lone pixel
    const b = bitmapOf(10, 6, (x, y) => {
      if (x >= 1 && x <= 3 && y >= 1 && y <= 2) return true
      if ((x === 6 && y === 1) || (x === 7 && y === 2)) return true
      return x === 8 && y === 5
    })
    const cs = components(b, 10, 6)
    expect(cs.map((c) => c.area)).toEqual([6, 2, 1])
    expect(cs[0]!.y0).toBe(1)
    expect([...cs[0]!.minX]).toEqual([1, 1])
    expect([...cs[0]!.maxX]).toEqual([3, 3])
    expect(componentPoints(cs[1]!)).toEqual([
      [6, 1],
      [7, 2]
    ])
  })

  it('stops at maxComponents', () => {
    const b = bitmapOf(9, 1, (x) => x % 2 === 0)
    expect(components(b, 9, 1)).toHaveLength(5)
    expect(components(b, 9, 1, 2)).toHaveLength(2)
  })

  it('reports a ring once, ignoring its hole', () => {
    const b = bitmapOf(
      7,
      7,
      (x, y) => x >= 1 && x <= 5 && y >= 1 && y <= 5 && !(x === 3 && y === 3)
    )
    const cs = components(b, 7, 7)
    expect(cs).toHaveLength(1)
    expect(cs[0]!.area).toBe(24)
  })
})

describe('convexHull', () => {
  it('keeps the corners and drops interior and collinear points', () => {
    const pts: Point[] = []
    for (let x = 0; x <= 4; x++) for (let y = 0; y <= 2; y++) pts.push([x, y])
    const hull = convexHull(pts)
    expect(hull).toHaveLength(4)
    expect(new Set(hull.map((p) => p.join(',')))).toEqual(new Set(['0,0', '4,0', '4,2', '0,2']))
  })
})

describe('minAreaRect', () => {
  it('measures an axis-aligned block between pixel centres, like cv2.minAreaRect', () => {
    const b = bitmapOf(40, 20, (x, y) => x >= 10 && x <= 29 && y >= 5 && y <= 9)
    const [c] = components(b, 40, 20)
    const r = minAreaRect(componentPoints(c!))
    expect(Math.max(r.w, r.h)).toBeCloseTo(19, 9)
    expect(Math.min(r.w, r.h)).toBeCloseTo(4, 9)
    expect(r.cx).toBeCloseTo(19.5, 9)
    expect(r.cy).toBeCloseTo(7, 9)
  })

  it('finds a rotated rectangle', () => {
    const a = (30 * Math.PI) / 180
    const pts: Point[] = []
    for (let u = 0; u <= 60; u += 2) {
      for (let v = 0; v <= 10; v += 2) {
        pts.push([100 + u * Math.cos(a) - v * Math.sin(a), 50 + u * Math.sin(a) + v * Math.cos(a)])
      }
    }
    const r = minAreaRect(pts)
    const sides = [r.w, r.h].sort((p, q) => p - q)
    expect(sides[0]).toBeCloseTo(10, 6)
    expect(sides[1]).toBeCloseTo(60, 6)
    const long = r.w >= r.h ? [r.ux, r.uy] : [-r.uy, r.ux]
    expect(Math.abs(long[1]! / long[0]!)).toBeCloseTo(Math.tan(a), 6)
  })

  it('handles a point and a segment', () => {
    expect(minAreaRect([[3, 4]])).toMatchObject({ cx: 3, cy: 4, w: 0, h: 0 })
    const seg = minAreaRect([
      [0, 0],
      [6, 8]
    ])
    expect(seg.w).toBeCloseTo(10, 9)
    expect(seg.h).toBeCloseTo(0, 9)
    expect(seg.cx).toBeCloseTo(3, 9)
    expect(seg.cy).toBeCloseTo(4, 9)
  })
})

describe('point orders', () => {
  const corners: Point[] = [
    [50, 30],
    [10, 12],
    [10, 30],
    [50, 10]
  ]
  it('get_mini_boxes order: top-left, top-right, bottom-right, bottom-left', () => {
    expect(miniBoxOrder(corners)).toEqual([
      [10, 12],
      [50, 10],
      [50, 30],
      [10, 30]
    ])
  })
  it('order_points_clockwise gives the same for a near-rectangle', () => {
    expect(orderClockwise(corners)).toEqual([
      [10, 12],
      [50, 10],
      [50, 30],
      [10, 30]
    ])
  })
  it('rectCorners round-trips through miniBoxOrder', () => {
    const q = miniBoxOrder(rectCorners({ cx: 20, cy: 10, w: 20, h: 6, ux: 1, uy: 0 }))
    expect(q).toEqual([
      [10, 7],
      [30, 7],
      [30, 13],
      [10, 13]
    ])
  })
})

describe('polygon helpers', () => {
  it('area and perimeter', () => {
    expect(
      polygonAreaPerimeter([
        [0, 0],
        [4, 0],
        [4, 3],
        [0, 3]
      ])
    ).toEqual({ area: 12, perimeter: 14 })
  })

  it('mean over a polygon counts pixel centres inside or on the edge', () => {
    const w = 20
    const h = 10
    const map = new Float32Array(w * h)
    for (let y = 0; y < h; y++) for (let x = 10; x < w; x++) map[y * w + x] = 1
    const box: Point[] = [
      [5, 2],
      [14, 2],
      [14, 7],
      [5, 7]
    ]
    // columns 5..14 inclusive: 5 of them are 1
    expect(meanInConvexPolygon(map, w, h, box)).toBeCloseTo(0.5, 9)
    // outside the map: clipped, not an error
    expect(
      meanInConvexPolygon(map, w, h, [
        [15, -5],
        [40, -5],
        [40, 30],
        [15, 30]
      ])
    ).toBeCloseTo(1, 9)
  })
})

describe('squareToQuad', () => {
  it('maps the unit square corners onto a perspective quad', () => {
    const q: Quad = [
      [10, 10],
      [110, 20],
      [100, 80],
      [5, 60]
    ]
    const f = squareToQuad(q)
    const corners: [number, number][] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1]
    ]
    corners.forEach(([s, t], i) => {
      const [x, y] = f(s, t)
      expect(x).toBeCloseTo(q[i]![0], 9)
      expect(y).toBeCloseTo(q[i]![1], 9)
    })
    // a point on the top edge stays on the line through q0 and q1
    const [x, y] = f(0.3, 0)
    expect((y - 10) / (x - 10)).toBeCloseTo(10 / 100, 9)
  })

  it('is affine for a parallelogram', () => {
    const f = squareToQuad([
      [0, 0],
      [10, 0],
      [14, 5],
      [4, 5]
    ])
    expect(f(0.5, 0.5)).toEqual([7, 2.5])
  })
})
