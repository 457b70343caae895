/**
 * Plane geometry for the OCR pipeline, in pixel coordinates (x right, y down, integer = pixel
 * centre, as in OpenCV): connected components of a bitmap, convex hull, minimum-area rectangle,
 * PaddleOCR's point orderings, polygon rasterisation and the square-to-quad homography.
 * Pure functions with no dependencies; they replace the few OpenCV calls PaddleOCR makes.
 */

export type Point = [x: number, y: number]
/** Four corners; after `orderClockwise`: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point]

/** A rotated rectangle: centre, side lengths, and the unit vector along the `w` side. */
export interface RotatedRect {
  cx: number
  cy: number
  w: number
  h: number
  ux: number
  uy: number
}

/** One 8-connected component of a bitmap, as the leftmost and rightmost pixel of each row. */
export interface Component {
  /** first row */
  y0: number
  /** for row y0 + i: the leftmost (minX[i]) and rightmost (maxX[i]) pixel; -1 for empty rows */
  minX: Int32Array
  maxX: Int32Array
  /** number of pixels */
  area: number
}

/**
 * 8-connected components of the non-zero pixels of `bitmap` (row-major, `width` × `height`), in
 * raster order of their first pixel, at most `maxComponents` of them. 8-connectivity is what
 * OpenCV's border following (findContours) uses for the foreground. Holes are not reported: a
 * hole's box lies inside its component's box and would only duplicate it. With `consume` the
 * bitmap is used as the visited mark and is all zeros afterwards (saves a copy).
 */
export function components(
  bitmap: Uint8Array,
  width: number,
  height: number,
  maxComponents = Infinity,
  consume = false
): Component[] {
  const todo = consume ? bitmap : bitmap.slice()
  let stack = new Int32Array(1024)
  const rowMin = new Int32Array(height).fill(-1)
  const rowMax = new Int32Array(height).fill(-1)
  const out: Component[] = []
  for (let start = 0; start < todo.length && out.length < maxComponents; start++) {
    if (!todo[start]) continue
    let top = 0
    stack[top++] = start
    todo[start] = 0
    let y0 = height
    let y1 = -1
    let area = 0
    while (top > 0) {
      const p = stack[--top]!
      const y = (p / width) | 0
      const x = p - y * width
      area++
      if (y < y0) y0 = y
      if (y > y1) y1 = y
      if (rowMin[y] === -1 || x < rowMin[y]!) rowMin[y] = x
      if (x > rowMax[y]!) rowMax[y] = x
      if (top + 8 > stack.length) {
        const grown = new Int32Array(stack.length * 2)
        grown.set(stack)
        stack = grown
      }
      const yFrom = y > 0 ? y - 1 : y
      const yTo = y < height - 1 ? y + 1 : y
      const xFrom = x > 0 ? x - 1 : x
      const xTo = x < width - 1 ? x + 1 : x
      for (let ny = yFrom; ny <= yTo; ny++) {
        const row = ny * width
        for (let nx = xFrom; nx <= xTo; nx++) {
          const q = row + nx
          if (todo[q]) {
            todo[q] = 0
            stack[top++] = q
          }
        }
      }
    }
    const minX = rowMin.slice(y0, y1 + 1)
    const maxX = rowMax.slice(y0, y1 + 1)
    rowMin.fill(-1, y0, y1 + 1)
    rowMax.fill(-1, y0, y1 + 1)
    out.push({ y0, minX, maxX, area })
  }
  return out
}

/** The extreme points of a component (two per row), enough for its convex hull. */
export function componentPoints(c: Component): Point[] {
  const pts: Point[] = []
  for (let i = 0; i < c.minX.length; i++) {
    const a = c.minX[i]!
    const b = c.maxX[i]!
    if (a < 0) continue
    pts.push([a, c.y0 + i])
    if (b !== a) pts.push([b, c.y0 + i])
  }
  return pts
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-up terms, no collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const uniq: Point[] = []
  for (const p of pts) {
    const last = uniq[uniq.length - 1]
    if (!last || last[0] !== p[0] || last[1] !== p[1]) uniq.push(p)
  }
  if (uniq.length < 3) return uniq
  const lower: Point[] = []
  for (const p of uniq) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop()
    lower.push(p)
  }
  const upper: Point[] = []
  for (let i = uniq.length - 1; i >= 0; i--) {
    const p = uniq[i]!
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop()
    upper.push(p)
  }
  lower.pop()
  upper.pop()
  return lower.concat(upper)
}

/**
 * The minimum-area enclosing rectangle of a point set (as cv2.minAreaRect): one side of the
 * optimum lies along a convex hull edge, so every hull edge direction is tried (rotating calipers
 * without the caliper bookkeeping: hulls here have tens of points). Ties keep the first edge.
 */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points)
  if (hull.length === 0) return { cx: 0, cy: 0, w: 0, h: 0, ux: 1, uy: 0 }
  if (hull.length === 1) return { cx: hull[0]![0], cy: hull[0]![1], w: 0, h: 0, ux: 1, uy: 0 }
  let best: RotatedRect | null = null
  let bestArea = Infinity
  const n = hull.length
  for (let i = 0; i < (n === 2 ? 1 : n); i++) {
    const a = hull[i]!
    const b = hull[(i + 1) % n]!
    const len = Math.hypot(b[0] - a[0], b[1] - a[1])
    if (len === 0) continue
    const ux = (b[0] - a[0]) / len
    const uy = (b[1] - a[1]) / len
    let minU = Infinity
    let maxU = -Infinity
    let minV = Infinity
    let maxV = -Infinity
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy
      const v = -p[0] * uy + p[1] * ux
      if (u < minU) minU = u
      if (u > maxU) maxU = u
      if (v < minV) minV = v
      if (v > maxV) maxV = v
    }
    const w = maxU - minU
    const h = maxV - minV
    const area = w * h
    if (area < bestArea - 1e-9) {
      bestArea = area
      const cu = (minU + maxU) / 2
      const cv = (minV + maxV) / 2
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w, h, ux, uy }
    }
  }
  return best ?? { cx: hull[0]![0], cy: hull[0]![1], w: 0, h: 0, ux: 1, uy: 0 }
}

/** The four corners of a rotated rectangle (in no particular order). */
export function rectCorners(r: RotatedRect): Point[] {
  const ax = (r.w / 2) * r.ux
  const ay = (r.w / 2) * r.uy
  const bx = (r.h / 2) * -r.uy
  const by = (r.h / 2) * r.ux
  return [
    [r.cx - ax - bx, r.cy - ay - by],
    [r.cx + ax - bx, r.cy + ay - by],
    [r.cx + ax + bx, r.cy + ay + by],
    [r.cx - ax + bx, r.cy - ay + by]
  ]
}

/**
 * PaddleOCR's `get_mini_boxes` ordering of a rectangle's corners: sort by x; of the two leftmost
 * the upper one is first and the lower one last; of the two rightmost the upper one is second.
 */
export function miniBoxOrder(corners: readonly Point[]): Quad {
  const p = [...corners].sort((a, b) => a[0] - b[0])
  const [i1, i4] = p[1]![1] > p[0]![1] ? [0, 1] : [1, 0]
  const [i2, i3] = p[3]![1] > p[2]![1] ? [2, 3] : [3, 2]
  return [p[i1]!, p[i2]!, p[i3]!, p[i4]!]
}

/**
 * PaddleOCR's `order_points_clockwise` (after imutils): the two leftmost points by x, sorted by
 * y, give top-left and bottom-left; the two rightmost give top-right and bottom-right.
 */
export function orderClockwise(pts: readonly Point[]): Quad {
  const xs = [...pts].sort((a, b) => a[0] - b[0])
  const left = [xs[0]!, xs[1]!].sort((a, b) => a[1] - b[1])
  const right = [xs[2]!, xs[3]!].sort((a, b) => a[1] - b[1])
  return [left[0]!, right[0]!, right[1]!, left[1]!]
}

/** Shoelace area (absolute) and perimeter of a polygon. */
export function polygonAreaPerimeter(poly: readonly Point[]): { area: number; perimeter: number } {
  let a = 0
  let p = 0
  for (let i = 0; i < poly.length; i++) {
    const [x0, y0] = poly[i]!
    const [x1, y1] = poly[(i + 1) % poly.length]!
    a += x0 * y1 - x1 * y0
    p += Math.hypot(x1 - x0, y1 - y0)
  }
  return { area: Math.abs(a) / 2, perimeter: p }
}

/**
 * Mean of `map` (row-major, `width` × `height`) over the pixels of a convex polygon, the polygon
 * clipped to the map as PaddleOCR's `box_score_fast` does: vertices truncated to integers (its
 * `astype(np.int32)`), pixel centres inside or on an edge count. 0 when no pixel is covered.
 */
export function meanInConvexPolygon(
  map: Float32Array,
  width: number,
  height: number,
  poly: readonly Point[]
): number {
  const clampI = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi)
  const xs = poly.map((p) => p[0])
  const ys = poly.map((p) => p[1])
  const xmin = clampI(Math.floor(Math.min(...xs)), width - 1)
  const xmax = clampI(Math.ceil(Math.max(...xs)), width - 1)
  const ymin = clampI(Math.floor(Math.min(...ys)), height - 1)
  const ymax = clampI(Math.ceil(Math.max(...ys)), height - 1)
  const pts: Point[] = poly.map((p) => [Math.trunc(p[0] - xmin), Math.trunc(p[1] - ymin)])
  let sum = 0
  let count = 0
  for (let y = 0; y <= ymax - ymin; y++) {
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < pts.length; i++) {
      const [x0, y0] = pts[i]!
      const [x1, y1] = pts[(i + 1) % pts.length]!
      if ((y < y0 && y < y1) || (y > y0 && y > y1)) continue
      if (y0 === y1) {
        lo = Math.min(lo, x0, x1)
        hi = Math.max(hi, x0, x1)
      } else {
        const x = x0 + ((y - y0) * (x1 - x0)) / (y1 - y0)
        lo = Math.min(lo, x)
        hi = Math.max(hi, x)
      }
    }
    if (lo > hi) continue
    const from = Math.max(0, Math.ceil(lo - 1e-9))
    const to = Math.min(xmax - xmin, Math.floor(hi + 1e-9))
    const row = (y + ymin) * width + xmin
    for (let x = from; x <= to; x++) {
      sum += map[row + x]!
      count++
    }
  }
  return count ? sum / count : 0
}

/**
 * The projective map from the unit square to a quad (Heckbert): (0,0)→q[0], (1,0)→q[1],
 * (1,1)→q[2], (0,1)→q[3], as coefficients: x = (a·s + b·t + c) / (g·s + h·t + 1) and
 * y = (d·s + e·t + f) / (g·s + h·t + 1).
 */
export interface Homography {
  a: number
  b: number
  c: number
  d: number
  e: number
  f: number
  g: number
  h: number
}

export function squareToQuadCoefficients(q: Quad): Homography {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q
  const sx = x0 - x1 + x2 - x3
  const sy = y0 - y1 + y2 - y3
  if (Math.abs(sx) < 1e-9 && Math.abs(sy) < 1e-9) {
    return { a: x1 - x0, b: x2 - x1, c: x0, d: y1 - y0, e: y2 - y1, f: y0, g: 0, h: 0 }
  }
  const dx1 = x1 - x2
  const dx2 = x3 - x2
  const dy1 = y1 - y2
  const dy2 = y3 - y2
  const det = dx1 * dy2 - dx2 * dy1
  const g = det === 0 ? 0 : (sx * dy2 - dx2 * sy) / det
  const h = det === 0 ? 0 : (dx1 * sy - sx * dy1) / det
  return {
    a: x1 - x0 + g * x1,
    b: x3 - x0 + h * x3,
    c: x0,
    d: y1 - y0 + g * y1,
    e: y3 - y0 + h * y3,
    f: y0,
    g,
    h
  }
}

/** `squareToQuadCoefficients` as a function (s, t) → [x, y]. */
export function squareToQuad(q: Quad): (s: number, t: number) => Point {
  const { a, b, c, d, e, f, g, h } = squareToQuadCoefficients(q)
  return (s, t) => {
    const z = g * s + h * t + 1
    return [(a * s + b * t + c) / z, (d * s + e * t + f) / z]
  }
}

/** Euclidean distance. */
export function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1])
}
