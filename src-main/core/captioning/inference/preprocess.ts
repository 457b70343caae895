/**
 * WD14 / WD v3 tagger preprocessing, as reference/formats.md §5 (kohya `preprocess_image`):
 *  1. EXIF orientation applied; alpha (RGBA, LA, palette transparency) composited onto white;
 *  2. centred white pad to a square of side max(w, h), the odd pixel going right / bottom;
 *  3. resize to the model's input side: downscale → area-style averaging (cv2.INTER_AREA; libvips
 *     shrinks by box-averaging and reduces the remainder with a linear kernel), upscale → Lanczos3
 *     (PIL LANCZOS); no resize when the side already matches. `interpolation: 'bicubic'` follows the
 *     SmilingWolf reference instead (PIL BICUBIC both ways);
 *  4. BGR channel order, float32 0–255 (no normalisation), NHWC.
 * Steps 1–3 run on sharp's async API (libuv threadpool), so the event loop is never blocked.
 * Step 4 is a plain loop over every value (and a batch is tens of MB of float32): the tagger
 * pipeline does it in the inference worker (`rgbBatchToBgrFloat`), not on the main thread, and
 * sends the worker the 8-bit RGB (`preprocessRgbForTagger` + `packRgbBatch`), a quarter the size.
 */
import sharp from 'sharp'
import { rgbToBgrFloat } from './tensor'

export { concatBatch, packRgbBatch, rgbToBgrFloat } from './tensor'

export type Interpolation = 'kohya' | 'bicubic'

export interface PreprocessOptions {
  /** the model's square input side (read from the session; 448 for WD models) */
  size: number
  interpolation?: Interpolation
}

export interface PreprocessedRgb {
  /** size × size × 3 bytes, interleaved RGB */
  rgb: Buffer
  /** the oriented source size */
  width: number
  height: number
}

export interface PreprocessedImage {
  /** size × size × 3 floats, BGR, 0–255 */
  data: Float32Array
  /** the oriented source size */
  width: number
  height: number
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 }

export class PreprocessError extends Error {
  readonly file: string
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`)
    this.name = 'PreprocessError'
    this.file = file
  }
}

/** Preprocesses one image file (or encoded buffer) into the tagger's input tensor layout. */
export async function preprocessForTagger(
  input: string | Buffer,
  opts: PreprocessOptions
): Promise<PreprocessedImage> {
  const { rgb, width, height } = await preprocessRgbForTagger(input, opts)
  return { data: rgbToBgrFloat(rgb), width, height }
}

/** Steps 1–3: the square, resized 8-bit RGB the tagger's tensor is made from. */
export async function preprocessRgbForTagger(
  input: string | Buffer,
  opts: PreprocessOptions
): Promise<PreprocessedRgb> {
  const label = typeof input === 'string' ? input : '<buffer>'
  const { size } = opts
  if (!Number.isInteger(size) || size < 1)
    throw new PreprocessError(label, `bad input size ${size}`)
  try {
    const meta = await sharp(input).metadata()
    // metadata() reports the stored size; orientations 5–8 swap width and height.
    const swap = (meta.orientation ?? 1) >= 5
    const w = (swap ? meta.height : meta.width) ?? 0
    const h = (swap ? meta.width : meta.height) ?? 0
    if (w < 1 || h < 1) throw new Error('image has no size')
    const side = Math.max(w, h)
    const padX = side - w
    const padY = side - h
    const padL = Math.floor(padX / 2)
    const padT = Math.floor(padY / 2)

    // Pass 1: orient, composite alpha on white, 8-bit sRGB, pad (sharp always extends after any
    // resize in one pipeline, so the resize happens in pass 2 on the padded raw pixels).
    const padded = await sharp(input)
      .autoOrient()
      .flatten({ background: WHITE })
      .toColourspace('srgb')
      .removeAlpha()
      .extend({
        top: padT,
        bottom: padY - padT,
        left: padL,
        right: padX - padL,
        background: WHITE
      })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    if (padded.info.channels !== 3 || padded.info.width !== side || padded.info.height !== side) {
      throw new Error(
        `unexpected decoded layout ${padded.info.width}x${padded.info.height}x${padded.info.channels}`
      )
    }

    let rgb: Buffer = padded.data
    if (side !== size) {
      const downscale = side > size
      const kernel =
        opts.interpolation === 'bicubic'
          ? sharp.kernel.cubic
          : downscale
            ? sharp.kernel.linear
            : sharp.kernel.lanczos3
      rgb = await sharp(padded.data, { raw: { width: side, height: side, channels: 3 } })
        .resize(size, size, { kernel, fit: 'fill' })
        .raw()
        .toBuffer()
    }
    if (rgb.length !== size * size * 3) throw new Error(`resize produced ${rgb.length} bytes`)
    return { rgb, width: w, height: h }
  } catch (err) {
    if (err instanceof PreprocessError) throw err
    throw new PreprocessError(label, err instanceof Error ? err.message : String(err))
  }
}
