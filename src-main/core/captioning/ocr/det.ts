/**
 * Text detection around the PP-OCRv4 DB model: the input size (PaddleOCR `DetResizeForTest`) and
 * the DB post-processing (PaddleOCR `DBPostProcess.boxes_from_bitmap`, quad mode, fast score, then
 * `TextDetector.filter_tag_det_res` and `sorted_boxes`). Pure functions over the probability map.
 *
 * Differences from PaddleOCR, all on purpose:
 *  - The image keeps its aspect ratio in the detector input, padded (edge repeated) to multiples
 *    of 32, instead of being stretched to them (see `detInputSize`).
 *  - Boxes grow by unclip ratio 1.6 (RapidOCR's PP-OCRv4 setting) rather than 1.5: PaddleOCR's
 *    boxes are tight enough to cut off the last letter of some lines.
 *  - Regions are 8-connected components instead of `cv2.findContours(RETR_LIST)` contours: the
 *    outer contour of a component has the same convex hull, hence the same minimum-area box;
 *    hole contours (which only yield a box nested in their component's box) are not reported.
 *  - The unclip step grows the minimum-area rectangle by the DB distance on every side instead
 *    of offsetting the polygon with pyclipper (round joins) and taking the minimum-area rectangle
 *    of the result: the two are the same rectangle, without pyclipper's integer rounding.
 */
import {
  componentPoints,
  components,
  dist,
  meanInConvexPolygon,
  minAreaRect,
  miniBoxOrder,
  orderClockwise,
  rectCorners,
  type Point,
  type Quad
} from './geometry'

export interface DetOptions {
  /** longest side of the detector input (PaddleOCR `det_limit_side_len`, type 'max'); default 960 */
  limitSideLen: number
  /** probability threshold of the binary map (`det_db_thresh`); default 0.3 */
  thresh: number
  /** minimum mean probability inside a box (`det_db_box_thresh`); default 0.6 */
  boxThresh: number
  /** how far boxes grow, relative to area / perimeter (`det_db_unclip_ratio`); default 1.6 */
  unclipRatio: number
  /** at most this many regions are examined (`max_candidates`); default 1000 */
  maxCandidates: number
}

export const DEFAULT_DET_OPTIONS: DetOptions = {
  limitSideLen: 960,
  thresh: 0.3,
  boxThresh: 0.6,
  unclipRatio: 1.6,
  maxCandidates: 1000
}

const MIN_SIZE = 3

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v)
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** The detector input: the tensor size and the part of it the image covers. */
export interface DetSize {
  /** tensor width and height: multiples of 32 */
  width: number
  height: number
  /** the resized image inside the tensor (top left); the rest repeats the image's edge */
  contentWidth: number
  contentHeight: number
}

/**
 * The detector input size for an image: scaled down so the longest side is at most
 * `limitSideLen` (never up), aspect ratio kept, then padded to multiples of 32. PaddleOCR
 * instead stretches each side to the nearest multiple of 32, which distorts small images (a
 * 44-px strip squashed to 32 px loses its text; one stretched from 135 to 160 px breaks lines).
 */
export function detInputSize(
  width: number,
  height: number,
  limitSideLen = DEFAULT_DET_OPTIONS.limitSideLen
): DetSize {
  const longest = Math.max(width, height)
  const ratio = longest > limitSideLen ? limitSideLen / longest : 1
  const w = Math.max(1, Math.trunc(width * ratio))
  const h = Math.max(1, Math.trunc(height * ratio))
  return {
    width: Math.max(Math.ceil(w / 32) * 32, 32),
    height: Math.max(Math.ceil(h / 32) * 32, 32),
    contentWidth: w,
    contentHeight: h
  }
}

export interface DetBox {
  /** top-left, top-right, bottom-right, bottom-left, in source-image pixels (integers) */
  quad: Quad
  /** mean text probability inside the box, on the map */
  score: number
}

/**
 * Boxes from the DB probability map (values 0..1, the detector input's size), scaled to the
 * source image (`srcW` × `srcH`), in PaddleOCR's reading order.
 */
export function dbPostprocess(
  map: Float32Array,
  size: DetSize,
  srcW: number,
  srcH: number,
  options: Partial<DetOptions> = {}
): DetBox[] {
  const { width: mapW, height: mapH, contentWidth, contentHeight } = size
  const o = { ...DEFAULT_DET_OPTIONS, ...options }
  const bitmap = new Uint8Array(mapW * mapH)
  const thresh = o.thresh
  for (let i = 0; i < bitmap.length; i++) if (map[i]! > thresh) bitmap[i] = 1
  const boxes: DetBox[] = []
  for (const comp of components(bitmap, mapW, mapH, o.maxCandidates, true)) {
    const rect = minAreaRect(componentPoints(comp))
    if (Math.min(rect.w, rect.h) < MIN_SIZE) continue
    const score = meanInConvexPolygon(map, mapW, mapH, miniBoxOrder(rectCorners(rect)))
    if (score < o.boxThresh) continue
    const area = rect.w * rect.h
    const perimeter = 2 * (rect.w + rect.h)
    const distance = (area * o.unclipRatio) / perimeter
    const grown = { ...rect, w: rect.w + 2 * distance, h: rect.h + 2 * distance }
    if (Math.min(grown.w, grown.h) < MIN_SIZE + 2) continue
    const scaled = miniBoxOrder(rectCorners(grown)).map(([x, y]): Point => [
      Math.min(Math.max(roundHalfEven((x / contentWidth) * srcW), 0), srcW),
      Math.min(Math.max(roundHalfEven((y / contentHeight) * srcH), 0), srcH)
    ])
    // filter_tag_det_res: clockwise order, clipped inside the image, more than 3 px each way
    const quad = orderClockwise(scaled).map(([x, y]): Point => [
      Math.trunc(Math.min(Math.max(x, 0), srcW - 1)),
      Math.trunc(Math.min(Math.max(y, 0), srcH - 1))
    ]) as Quad
    if (Math.trunc(dist(quad[0], quad[1])) <= 3 || Math.trunc(dist(quad[0], quad[3])) <= 3) continue
    boxes.push({ quad, score })
  }
  return sortBoxes(boxes)
}

/**
 * PaddleOCR's `sorted_boxes`: top to bottom by the top-left corner, then a bubble pass that puts
 * boxes whose top-left corners are within 10 px vertically in left-to-right order.
 */
export function sortBoxes<T extends { quad: Quad }>(boxes: readonly T[]): T[] {
  const b = [...boxes].sort((p, q) => p.quad[0][1] - q.quad[0][1] || p.quad[0][0] - q.quad[0][0])
  for (let i = 0; i < b.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const next = b[j + 1]!
      const cur = b[j]!
      if (Math.abs(next.quad[0][1] - cur.quad[0][1]) < 10 && next.quad[0][0] < cur.quad[0][0]) {
        b[j] = next
        b[j + 1] = cur
      } else break
    }
  }
  return b
}
