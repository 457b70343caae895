/** Putting one image into the export: copy (reflink when possible), hard link, or re-encode. */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { openImage, readRegularFile, sharpReason } from '../import/probe'
import { copyFileTo, linkFile } from './pool'
import type { ImageProfile } from './types'

/** never overwrite; share the blocks (reflink) where the filesystem can, else a plain copy */
const COPY_MODE = fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE

export const WRITABLE = new Set(['png', 'jpeg', 'webp', 'avif', 'tiff', 'gif'])
const EXT_FORMAT: Record<string, string> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.bmp': 'bmp',
  '.gif': 'gif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'avif'
}
const FORMAT_EXT: Record<string, string> = {
  png: '.png',
  jpeg: '.jpg',
  webp: '.webp',
  avif: '.avif',
  tiff: '.tif',
  gif: '.gif'
}

export interface PlacePlan {
  /** 'copy' | 'link' keep the bytes; 'reencode' decodes and writes `format` */
  how: 'copy' | 'link' | 'reencode'
  /** output extension, lowercase with the dot */
  ext: string
  /** target format for re-encoding */
  format?: string
  /** why a copy/link became a re-encode */
  reason?: string
}

/**
 * Decides how an image is written. `accepted` is the trainer's extension list: a source the trainer
 * cannot read is converted to PNG. Baking needs the EXIF orientation: pass it (1 = upright).
 */
export function planImage(
  source: string,
  p: ImageProfile,
  accepted: ReadonlySet<string>,
  orientation: number
): PlacePlan {
  const srcExt = path.extname(source).toLowerCase()
  const srcFormat = EXT_FORMAT[srcExt] ?? 'unknown'
  const needsBake = p.bakeOrientation && orientation > 1
  let reason: string | undefined
  if (
    p.mode === 'reencode' ||
    needsBake ||
    p.maxSide !== undefined ||
    p.format !== 'keep' ||
    !accepted.has(srcExt)
  ) {
    let format = p.format !== 'keep' ? p.format : srcFormat
    if (!WRITABLE.has(format) || !accepted.has(FORMAT_EXT[format] ?? '')) format = 'png'
    if (p.mode !== 'reencode') {
      reason = !accepted.has(srcExt)
        ? `the trainer does not read ${srcExt || 'files without an extension'}; converted to ${format}`
        : needsBake
          ? `EXIF orientation ${orientation} baked into the pixels`
          : 'resized or converted'
    }
    return { how: 'reencode', ext: FORMAT_EXT[format] ?? '.png', format, reason }
  }
  return { how: p.mode === 'link' ? 'link' : 'copy', ext: srcExt === '.jpeg' ? '.jpeg' : srcExt }
}

/** EXIF orientation of a file (1 when it has none). A header read only. */
export async function readOrientation(file: string): Promise<number> {
  try {
    const m = await sharp(file).metadata()
    return m.orientation ?? 1
  } catch {
    return 1
  }
}

export interface Placed {
  /** true when a hard link had to fall back to a copy */
  linkFallback: boolean
  width?: number
  height?: number
}

const LINK_FALLBACK = new Set([
  'EXDEV',
  'EPERM',
  'EMLINK',
  'ENOTSUP',
  'EOPNOTSUPP',
  'EACCES',
  'ENOSYS'
])

export async function placeImage(
  source: string,
  target: string,
  plan: PlacePlan,
  p: ImageProfile
): Promise<Placed> {
  if (plan.how === 'link') {
    try {
      await linkFile(source, target)
      return { linkFallback: false }
    } catch (err) {
      if (!LINK_FALLBACK.has((err as NodeJS.ErrnoException).code ?? '')) throw err
      await copyFileTo(source, target, COPY_MODE)
      return { linkFallback: true }
    }
  }
  if (plan.how === 'copy') {
    await copyFileTo(source, target, COPY_MODE)
    return { linkFallback: false }
  }
  const { buf } = await readRegularFile(source)
  try {
    let img = openImage(buf)
    // Without baking, keep the orientation tag so viewers and trainers still see it upright.
    img = p.bakeOrientation ? img.autoOrient() : img.keepExif()
    if (p.maxSide !== undefined)
      img = img.resize({
        width: p.maxSide,
        height: p.maxSide,
        fit: 'inside',
        withoutEnlargement: true
      })
    const fmt = plan.format ?? 'png'
    img =
      fmt === 'jpeg'
        ? img.flatten({ background: '#ffffff' }).jpeg({ quality: p.quality, mozjpeg: true })
        : fmt === 'webp'
          ? img.webp({ quality: p.quality })
          : fmt === 'avif'
            ? img.avif({ quality: p.quality })
            : fmt === 'tiff'
              ? img.tiff()
              : fmt === 'gif'
                ? img.gif()
                : img.png()
    const info = await img.toFile(target)
    return { linkFallback: false, width: info.width, height: info.height }
  } catch (err) {
    await fs.promises.rm(target, { force: true })
    throw new Error(`cannot re-encode: ${sharpReason(err)}`)
  }
}
