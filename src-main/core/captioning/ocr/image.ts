/**
 * Pixel work for the OCR models, on interleaved 8-bit RGB: the detector's resized and normalised
 * input tensor, and the recogniser's rectified line crops. Plain loops over typed arrays: no
 * extra threads beside onnxruntime's, and results that do not depend on a libvips version.
 *
 * Both PaddleOCR models were trained on OpenCV's BGR images, so tensors are written in B, G, R
 * channel order. Sampling is bilinear with OpenCV's half-pixel convention (cv2.INTER_LINEAR);
 * where an image shrinks by 2× or more it is first box-averaged (the detector) or supersampled
 * (the line crops), so thin strokes survive the reduction instead of aliasing away.
 */
import { squareToQuadCoefficients, type Quad } from './geometry'

/** Detector normalisation (PaddleOCR `NormalizeImage`), indexed by tensor channel (B, G, R). */
const DET_MEAN = [0.485, 0.456, 0.406] as const
const DET_STD = [0.229, 0.224, 0.225] as const

/**
 * The detector input: `rgb` (`width` × `height`) resized to `cw` × `ch` at the top left of a
 * `dw` × `dh` tensor whose remaining columns and rows repeat the image's edge, normalised, as a
 * [1, 3, dh, dw] float tensor in B, G, R channel order. `out` (3 × dw × dh floats) is written
 * when given (a buffer reused from image to image), else allocated.
 *
 * Where the image shrinks by 2× or more it is first box-averaged by integer factors (fx, fy), so
 * that the bilinear step shrinks by less than 2×. Bilinear sampling is separable: each reduced
 * source row the output needs is box-averaged and interpolated horizontally once (two rows are
 * kept), and every output row blends two of them; the same values as the 4-tap formula up to
 * floating-point rounding, at about a third of the work, in loops over one array type each.
 */
export function detTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  dw: number,
  dh: number,
  cw = dw,
  ch = dh,
  out?: Float32Array
): Float32Array {
  const plane = dw * dh
  if (out && out.length !== plane * 3)
    throw new RangeError(`detTensor: the buffer holds ${out.length} floats, not ${plane * 3}`)
  const t = out ?? new Float32Array(plane * 3)
  if (cw === width && ch === height) {
    copyPadded(rgb, width, height, dw, dh, t)
    return t
  }
  const fx = Math.max(1, Math.floor(width / cw))
  const fy = Math.max(1, Math.floor(height / ch))
  // the box-reduced image's size
  const rw = Math.floor(width / fx)
  const rh = Math.floor(height / fy)
  // Source x of a destination column, in reduced-image pixel indices (OpenCV half-pixel centres).
  const xs0 = new Int32Array(dw)
  const xs1 = new Int32Array(dw)
  const xw = new Float64Array(dw)
  for (let x = 0; x < dw; x++) {
    const sx = ((x + 0.5) * width) / cw - 0.5
    const rx = Math.min(Math.max((sx - (fx - 1) / 2) / fx, 0), rw - 1)
    const x0 = Math.floor(rx)
    xs0[x] = x0 * 3
    xs1[x] = Math.min(x0 + 1, rw - 1) * 3
    xw[x] = rx - x0
  }
  const reduced = new Float32Array(rw * 3)
  const acc = fx === 1 && fy === 1 ? null : new Uint32Array(rw * 3)
  const inv = 1 / (fx * fy)
  /** reduced row `ry`, interpolated to the tensor's columns, into `h` */
  const horizontal = (ry: number, h: Float64Array): void => {
    if (acc) boxRow(rgb, width, fx, fy, ry, rw, acc, inv, reduced)
    else reduced.set(rgb.subarray(ry * width * 3, (ry + 1) * width * 3))
    lerpRow(reduced, xs0, xs1, xw, dw, h)
  }
  let h0 = new Float64Array(dw * 3)
  let h1 = new Float64Array(dw * 3)
  let r0 = -1
  let r1 = -1
  for (let y = 0; y < dh; y++) {
    const sy = ((y + 0.5) * height) / ch - 0.5
    const ry = Math.min(Math.max((sy - (fy - 1) / 2) / fy, 0), rh - 1)
    const y0 = Math.floor(ry)
    const y1 = Math.min(y0 + 1, rh - 1)
    if (y0 === r1 && y0 !== r0) {
      // moved down one reduced row: the lower row becomes the upper one
      const tmp = h0
      h0 = h1
      h1 = tmp
      r0 = r1
      r1 = -1
    }
    if (r0 !== y0) {
      horizontal(y0, h0)
      r0 = y0
    }
    if (r1 !== y1) {
      horizontal(y1, h1)
      r1 = y1
    }
    blendRow(h0, h1, ry - y0, dw, t, y * dw, plane)
  }
  return t
}

/** (v / 255 - mean) / std per tensor channel: B, G, R */
const DET_SCALE = [1 / (255 * DET_STD[0]), 1 / (255 * DET_STD[1]), 1 / (255 * DET_STD[2])] as const
const DET_OFFSET = [DET_MEAN[0] / DET_STD[0], DET_MEAN[1] / DET_STD[1], DET_MEAN[2] / DET_STD[2]]

/** No resampling: the pixels normalised, the last column and row repeated into the padding. */
function copyPadded(
  rgb: Uint8Array,
  width: number,
  height: number,
  dw: number,
  dh: number,
  out: Float32Array
): void {
  const plane = dw * dh
  const [sb, sg, sr] = DET_SCALE
  const [ob, og, or] = DET_OFFSET as [number, number, number]
  for (let y = 0; y < dh; y++) {
    const row = Math.min(y, height - 1) * width * 3
    let o = y * dw
    for (let x = 0; x < dw; x++, o++) {
      const p = row + Math.min(x, width - 1) * 3
      out[o] = rgb[p + 2]! * sb - ob
      out[plane + o] = rgb[p + 1]! * sg - og
      out[2 * plane + o] = rgb[p]! * sr - or
    }
  }
}

/** Reduced row `ry`: the mean of each fx × fy block of source pixels, into `out` (rw × 3). */
function boxRow(
  rgb: Uint8Array,
  width: number,
  fx: number,
  fy: number,
  ry: number,
  rw: number,
  acc: Uint32Array,
  inv: number,
  out: Float32Array
): void {
  acc.fill(0)
  const step = fx * 3
  for (let j = 0; j < fy; j++) {
    const row = (ry * fy + j) * width * 3
    for (let x = 0, k = 0; x < rw; x++, k += 3) {
      let p = row + x * step
      let r = 0
      let g = 0
      let b = 0
      for (let i = 0; i < fx; i++, p += 3) {
        r += rgb[p]!
        g += rgb[p + 1]!
        b += rgb[p + 2]!
      }
      acc[k] = acc[k]! + r
      acc[k + 1] = acc[k + 1]! + g
      acc[k + 2] = acc[k + 2]! + b
    }
  }
  for (let k = 0; k < rw * 3; k++) out[k] = acc[k]! * inv
}

/** One reduced row interpolated horizontally to the tensor's `dw` columns (interleaved RGB). */
function lerpRow(
  src: Float32Array,
  xs0: Int32Array,
  xs1: Int32Array,
  xw: Float64Array,
  dw: number,
  h: Float64Array
): void {
  for (let x = 0, k = 0; x < dw; x++, k += 3) {
    const a = xs0[x]!
    const b = xs1[x]!
    const w1 = xw[x]!
    const w0 = 1 - w1
    h[k] = src[a]! * w0 + src[b]! * w1
    h[k + 1] = src[a + 1]! * w0 + src[b + 1]! * w1
    h[k + 2] = src[a + 2]! * w0 + src[b + 2]! * w1
  }
}

/** An output row: two interpolated rows blended by `wy`, normalised into the B, G, R planes. */
function blendRow(
  h0: Float64Array,
  h1: Float64Array,
  wy: number,
  dw: number,
  out: Float32Array,
  o: number,
  plane: number
): void {
  const [sb, sg, sr] = DET_SCALE
  const [ob, og, or] = DET_OFFSET as [number, number, number]
  const w0 = 1 - wy
  for (let x = 0, k = 0; x < dw; x++, k += 3, o++) {
    const r = h0[k]! * w0 + h1[k]! * wy
    const g = h0[k + 1]! * w0 + h1[k + 1]! * wy
    const b = h0[k + 2]! * w0 + h1[k + 2]! * wy
    out[o] = b * sb - ob
    out[plane + o] = g * sg - og
    out[2 * plane + o] = r * sr - or
  }
}

/** How a detected quad is cut out for the recogniser (PaddleOCR `get_rotate_crop_image`). */
export interface CropGeometry {
  quad: Quad
  /** the crop's size before rotation: max of opposite side lengths, truncated */
  cropW: number
  cropH: number
  /** tall crops (h / w ≥ 1.5) are turned 90° counter-clockwise: vertical text reads left to right */
  rotated: boolean
  /** width / height of the crop as the recogniser sees it */
  ratio: number
}

export function cropGeometry(quad: Quad): CropGeometry {
  const d = (i: number, j: number): number =>
    Math.hypot(quad[i]![0] - quad[j]![0], quad[i]![1] - quad[j]![1])
  const cropW = Math.trunc(Math.max(d(0, 1), d(2, 3)))
  const cropH = Math.trunc(Math.max(d(0, 3), d(1, 2)))
  const rotated = cropW > 0 && cropH / cropW >= 1.5
  const ratio = rotated ? cropH / cropW : cropH > 0 ? cropW / cropH : 0
  return { quad, cropW, cropH, rotated, ratio }
}

/**
 * Writes one line crop into a recogniser batch tensor ([n, 3, height, tensorW], B, G, R,
 * normalised to [-1, 1] as PaddleOCR's `resize_norm_img`): the quad is rectified and resized to
 * `height` × `resizedW` in one pass, the rest of the row is left at 0 (the padding). Returns the
 * contrast of the crop: the spread between the 5th and 95th luminance percentiles, 0..1.
 */
export function writeRecCrop(
  rgb: Uint8Array,
  width: number,
  height: number,
  g: CropGeometry,
  out: Float32Array,
  index: number,
  tensorH: number,
  tensorW: number,
  resizedW: number
): number {
  const {
    a: ha,
    b: hb,
    c: hc,
    d: hd,
    e: he,
    f: hf,
    g: hg,
    h: hh
  } = squareToQuadCoefficients(g.quad)
  const invW = 1 / g.cropW
  const invH = 1 / g.cropH
  const W = g.rotated ? g.cropH : g.cropW
  const H = g.rotated ? g.cropW : g.cropH
  const plane = tensorH * tensorW
  const base = index * 3 * plane
  // supersampling factors for shrinking crops
  const kx = Math.min(4, Math.max(1, Math.ceil(W / resizedW - 0.5)))
  const ky = Math.min(4, Math.max(1, Math.ceil(H / tensorH - 0.5)))
  const inv = 1 / (kx * ky)
  const hist = new Uint32Array(256)
  const maxX = width - 1
  const maxY = height - 1
  for (let v = 0; v < tensorH; v++) {
    for (let u = 0; u < resizedW; u++) {
      let r = 0
      let gg = 0
      let b = 0
      for (let j = 0; j < ky; j++) {
        // rectified-crop coordinates (OpenCV half-pixel centres)
        const yr = ((v + (j + 0.5) / ky) * H) / tensorH - 0.5
        for (let i = 0; i < kx; i++) {
          const xr = ((u + (i + 0.5) / kx) * W) / resizedW - 0.5
          // np.rot90: rotated (xr, yr) is crop (W0 - 1 - yr, xr)
          const cx = g.rotated ? g.cropW - 1 - yr : xr
          const cy = g.rotated ? xr : yr
          const s = cx * invW
          const t = cy * invH
          const z = hg * s + hh * t + 1
          const sx = Math.min(Math.max((ha * s + hb * t + hc) / z, 0), maxX)
          const sy = Math.min(Math.max((hd * s + he * t + hf) / z, 0), maxY)
          const x0 = Math.floor(sx)
          const y0 = Math.floor(sy)
          const x1 = Math.min(x0 + 1, maxX)
          const y1 = Math.min(y0 + 1, maxY)
          const wx = sx - x0
          const wy = sy - y0
          const p00 = (y0 * width + x0) * 3
          const p01 = (y0 * width + x1) * 3
          const p10 = (y1 * width + x0) * 3
          const p11 = (y1 * width + x1) * 3
          const w00 = (1 - wx) * (1 - wy)
          const w01 = wx * (1 - wy)
          const w10 = (1 - wx) * wy
          const w11 = wx * wy
          r += rgb[p00]! * w00 + rgb[p01]! * w01 + rgb[p10]! * w10 + rgb[p11]! * w11
          gg +=
            rgb[p00 + 1]! * w00 + rgb[p01 + 1]! * w01 + rgb[p10 + 1]! * w10 + rgb[p11 + 1]! * w11
          b += rgb[p00 + 2]! * w00 + rgb[p01 + 2]! * w01 + rgb[p10 + 2]! * w10 + rgb[p11 + 2]! * w11
        }
      }
      r *= inv
      gg *= inv
      b *= inv
      const o = base + v * tensorW + u
      out[o] = b / 127.5 - 1
      out[o + plane] = gg / 127.5 - 1
      out[o + 2 * plane] = r / 127.5 - 1
      hist[Math.min(255, Math.round(0.299 * r + 0.587 * gg + 0.114 * b))]!++
    }
  }
  return percentileSpread(hist, tensorH * resizedW, 0.05, 0.95)
}

function percentileSpread(hist: Uint32Array, total: number, lo: number, hi: number): number {
  if (total === 0) return 0
  const loN = lo * total
  const hiN = hi * total
  let acc = 0
  let pLo = -1
  let pHi = 255
  for (let i = 0; i < 256; i++) {
    acc += hist[i]!
    if (pLo < 0 && acc > loN) pLo = i
    if (acc >= hiN) {
      pHi = i
      break
    }
  }
  return Math.max(0, pHi - Math.max(pLo, 0)) / 255
}
