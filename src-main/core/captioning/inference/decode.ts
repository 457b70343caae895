/**
 * Image decoding for generative models, run in the inference worker (sharp, on libuv's thread
 * pool): EXIF orientation applied, alpha composited on white, 8-bit sRGB, the longest side capped.
 * Every supported processor resizes far below the cap anyway; it only bounds memory for huge
 * images.
 */
import sharp from 'sharp'

/** Longest side handed to a processor. */
export const MAX_GENERATIVE_SIDE = 2048

export interface DecodedImage {
  /** interleaved 8-bit RGB */
  pixels: Uint8Array
  width: number
  height: number
}

/** Decodes one file; an unreadable file rejects with an error whose message starts with its path. */
export async function decodeForGenerative(
  file: string,
  maxSide = MAX_GENERATIVE_SIDE
): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(file)
      .autoOrient()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    return {
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height
    }
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
}
