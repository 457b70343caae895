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
 * Box-averages `src` by integer factors so that bilinear resampling to `dw` × `dh` afterwards
 * shrinks by less than 2×. Returns the reduced image (float RGB) and its factors.
 */
function boxReduce(
  src: Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number
): { data: Float32Array | Uint8Array; w: number; h: number; fx: number; fy: number } {
  const fx = Math.max(1, Math.floor(sw / dw))
  const fy = Math.max(1, Math.floor(sh / dh))
  if (fx === 1 && fy === 1) return { data: src, w: sw, h: sh, fx, fy }
  const w = Math.floor(sw / fx)
  const h = Math.floor(sh / fy)
  const out = new Float32Array(w * h * 3)
  const inv = 1 / (fx * fy)
  // one output row at a time: source rows are read front to back, sums kept per output pixel
  const acc = new Uint32Array(w * 3)
  const step = fx * 3
  for (let y = 0; y < h; y++) {
    acc.fill(0)
    for (let j = 0; j < fy; j++) {
      const row = (y * fy + j) * sw * 3
      for (let x = 0, k = 0; x < w; x++, k += 3) {
        let p = row + x * step
        let r = 0
        let g = 0
        let b = 0
        for (let i = 0; i < fx; i++, p += 3) {
          r += src[p]!
          g += src[p + 1]!
          b += src[p + 2]!
        }
        acc[k] = acc[k]! + r
        acc[k + 1] = acc[k + 1]! + g
        acc[k + 2] = acc[k + 2]! + b
      }
    }
    const o = y * w * 3
    for (let k = 0; k < w * 3; k++) out[o + k] = acc[k]! * inv
  }
  return { data: out, w, h, fx, fy }
}

/**
 * The detector input: `rgb` (`width` × `height`) resized to `cw` × `ch` at the top left of a
 * `dw` × `dh` tensor whose remaining columns and rows repeat the image's edge, normalised, as a
 * [1, 3, dh, dw] float tensor in B, G, R channel order.
 */
export function detTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  dw: number,
  dh: number,
  cw = dw,
  ch = dh
): Float32Array {
  const red = boxReduce(rgb, width, height, cw, ch)
  const src = red.data
  const plane = dw * dh
  const out = new Float32Array(plane * 3)
  // Source x of a destination column, in reduced-image pixel indices (OpenCV half-pixel centres).
  const xs0 = new Int32Array(dw)
  const xs1 = new Int32Array(dw)
  const xw = new Float32Array(dw)
  for (let x = 0; x < dw; x++) {
    const sx = ((x + 0.5) * width) / cw - 0.5
    const rx = Math.min(Math.max((sx - (red.fx - 1) / 2) / red.fx, 0), red.w - 1)
    const x0 = Math.floor(rx)
    xs0[x] = x0 * 3
    xs1[x] = Math.min(x0 + 1, red.w - 1) * 3
    xw[x] = rx - x0
  }
  // (v / 255 - mean) / std per tensor channel: B, G, R
  const sb = 1 / (255 * DET_STD[0])
  const sg = 1 / (255 * DET_STD[1])
  const sr = 1 / (255 * DET_STD[2])
  const ob = DET_MEAN[0] / DET_STD[0]
  const og = DET_MEAN[1] / DET_STD[1]
  const or = DET_MEAN[2] / DET_STD[2]
  if (cw === width && ch === height) {
    // no resampling: copy, repeating the last column and row into the padding
    for (let y = 0; y < dh; y++) {
      const row = Math.min(y, height - 1) * width * 3
      let o = y * dw
      for (let x = 0; x < dw; x++, o++) {
        const p = row + xs0[x]!
        out[o] = rgb[p + 2]! * sb - ob
        out[plane + o] = rgb[p + 1]! * sg - og
        out[2 * plane + o] = rgb[p]! * sr - or
      }
    }
    return out
  }
  for (let y = 0; y < dh; y++) {
    const sy = ((y + 0.5) * height) / ch - 0.5
    const ry = Math.min(Math.max((sy - (red.fy - 1) / 2) / red.fy, 0), red.h - 1)
    const y0 = Math.floor(ry)
    const wy = ry - y0
    const row0 = y0 * red.w * 3
    const row1 = Math.min(y0 + 1, red.h - 1) * red.w * 3
    let o = y * dw
    for (let x = 0; x < dw; x++, o++) {
      const wx = xw[x]!
      const a = row0 + xs0[x]!
      const b = row0 + xs1[x]!
      const c = row1 + xs0[x]!
      const d = row1 + xs1[x]!
      const w00 = (1 - wx) * (1 - wy)
      const w01 = wx * (1 - wy)
      const w10 = (1 - wx) * wy
      const w11 = wx * wy
      const r = src[a]! * w00 + src[b]! * w01 + src[c]! * w10 + src[d]! * w11
      const g = src[a + 1]! * w00 + src[b + 1]! * w01 + src[c + 1]! * w10 + src[d + 1]! * w11
      const bl = src[a + 2]! * w00 + src[b + 2]! * w01 + src[c + 2]! * w10 + src[d + 2]! * w11
      out[o] = bl * sb - ob
      out[plane + o] = g * sg - og
      out[2 * plane + o] = r * sr - or
    }
  }
  return out
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
