/**
 * The image as an endpoint receives it. Every image is decoded and re-encoded with sharp (on
 * libuv's thread pool, never blocking the event loop):
 *  1. EXIF orientation applied (servers decode pixels as stored and ignore EXIF);
 *  2. resized so the longest side is ≤ maxSide, never enlarged (Lanczos3, sharp's default);
 *  3. alpha flattened onto white: servers drop alpha inconsistently (PIL's convert('RGB') keeps
 *     whatever colour the transparent pixels hold, often black; stb_image drops the channel), and
 *     white is what the WD taggers composite onto too, so a transparent PNG looks the same to
 *     every model;
 *  4. converted to 8-bit sRGB (CMYK JPEGs, 16-bit PNGs and grey images become plain RGB);
 *  5. re-encoded, which also strips EXIF/XMP/ICC metadata (GPS positions, camera serials) before
 *     the image leaves the machine:
 *     - 'jpeg': quality 90 with 4:4:4 chroma (no subsampling: thin coloured lines and in-image
 *       text stay legible to the model);
 *     - 'png': lossless;
 *     - 'auto' (default): JPEG for lossy sources (JPEG, WebP, AVIF, HEIF: re-encoding them as PNG
 *       only makes them bigger); for lossless sources (PNG, GIF, TIFF, …: line art, screenshots,
 *       pixel art, scans) both are encoded and PNG is sent when it is no larger than the JPEG:
 *       flat-colour art is then smaller and exact, photos saved as PNG still go as JPEG.
 * Animated images send their first frame.
 */
import sharp, { type Metadata, type OutputInfo } from 'sharp'

export type ImageFormat = 'auto' | 'jpeg' | 'png'
export type ImageMime = 'image/jpeg' | 'image/png'

export interface PrepareImageOptions {
  /** longest side after resizing, in pixels */
  maxSide: number
  format?: ImageFormat
  /** JPEG quality, default 90 */
  quality?: number
}

export interface PreparedImage {
  bytes: Buffer
  mime: ImageMime
  /** size sent */
  width: number
  height: number
  /** the source's size after EXIF orientation */
  sourceWidth: number
  sourceHeight: number
}

export class ImagePrepareError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'ImagePrepareError'
  }
}

/** Formats whose pixels are exact: worth trying PNG for. */
const LOSSLESS_SOURCES = new Set(['png', 'gif', 'tiff', 'ppm', 'pgm', 'pbm', 'pfm', 'raw', 'bmp'])
const WHITE = { r: 255, g: 255, b: 255 }

/** Decodes, orients, resizes, flattens and re-encodes one image file or encoded buffer. */
export async function prepareImage(
  input: string | Buffer,
  opts: PrepareImageOptions
): Promise<PreparedImage> {
  const { maxSide } = opts
  if (!Number.isInteger(maxSide) || maxSide < 1)
    throw new RangeError(`maxSide must be a positive integer, not ${maxSide}`)
  const format = opts.format ?? 'auto'
  const quality = opts.quality ?? 90
  let meta: Metadata
  try {
    meta = await sharp(input).metadata()
  } catch (err) {
    throw new ImagePrepareError(`the image cannot be read: ${(err as Error).message}`)
  }
  const swap = (meta.orientation ?? 1) >= 5
  const sourceWidth = (swap ? meta.height : meta.width) ?? 0
  const sourceHeight = (swap ? meta.width : meta.height) ?? 0
  if (sourceWidth < 1 || sourceHeight < 1) throw new ImagePrepareError('the image has no size')

  let base = sharp(input).rotate().resize({
    width: maxSide,
    height: maxSide,
    fit: 'inside',
    withoutEnlargement: true
  })
  if (meta.hasAlpha) base = base.flatten({ background: WHITE })
  base = base.toColourspace('srgb')

  const jpeg = (): Promise<{ data: Buffer; info: OutputInfo }> =>
    base.clone().jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer({ resolveWithObject: true })
  const png = (): Promise<{ data: Buffer; info: OutputInfo }> =>
    base
      .clone()
      .png({ compressionLevel: 6, adaptiveFiltering: true })
      .toBuffer({ resolveWithObject: true })

  try {
    let out: { data: Buffer; info: OutputInfo }
    let mime: ImageMime
    if (format === 'png') {
      out = await png()
      mime = 'image/png'
    } else if (format === 'jpeg' || !LOSSLESS_SOURCES.has(meta.format ?? '')) {
      out = await jpeg()
      mime = 'image/jpeg'
    } else {
      const [j, p] = await Promise.all([jpeg(), png()])
      if (p.data.length <= j.data.length) {
        out = p
        mime = 'image/png'
      } else {
        out = j
        mime = 'image/jpeg'
      }
    }
    return {
      bytes: out.data,
      mime,
      width: out.info.width,
      height: out.info.height,
      sourceWidth,
      sourceHeight
    }
  } catch (err) {
    throw new ImagePrepareError(`the image cannot be decoded: ${(err as Error).message}`)
  }
}

/** `data:<mime>;base64,<bytes>` as the OpenAI image_url part wants it (no JSON escaping needed). */
export function toDataUrl(img: { bytes: Uint8Array; mime: string }): string {
  if (!/^[a-z]+\/[a-z0-9.+-]+$/.test(img.mime)) throw new TypeError(`not a MIME type: ${img.mime}`)
  const b = Buffer.isBuffer(img.bytes)
    ? img.bytes
    : Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength)
  return `data:${img.mime};base64,${b.toString('base64')}`
}
