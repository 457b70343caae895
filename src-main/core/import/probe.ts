import crypto from 'node:crypto'
import fs from 'node:fs'
import sharp, { type Sharp } from 'sharp'
import { bmpToSharp, isBmp, readBmpHeader } from './bmp'
import { describeFsError, describeNonRegular } from './scan'

/** sharp's own default: 0x3FFF × 0x3FFF pixels. */
export const PIXEL_LIMIT = 268_402_689

/** A problem with one file; the message is the user-facing reason. */
export class FileProblem extends Error {
  /** size and mtime when the file could be stat'ed */
  facts?: { size: number; mtimeMs: number }
}

/**
 * Reads a whole file, refusing anything that is not a regular file. The open uses O_NONBLOCK so a
 * FIFO swapped in after the scan can never hang the import; fstat then rejects it unread.
 */
export async function readRegularFile(file: string): Promise<{ buf: Buffer; stat: fs.Stats }> {
  let fh: fs.promises.FileHandle
  try {
    fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  } catch (err) {
    throw new FileProblem(describeFsError(err))
  }
  try {
    const stat = await fh.stat()
    if (!stat.isFile()) throw new FileProblem(describeNonRegular(stat))
    // Reads the size fstat reported (FileHandle.readFile reads in small chunks and is slower).
    // A file that changes while it is read gets a new mtime, so the next import re-reads it.
    const buf = Buffer.allocUnsafe(stat.size)
    let off = 0
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off)
      if (bytesRead === 0) break
      off += bytesRead
    }
    return { buf: buf.subarray(0, off), stat }
  } catch (err) {
    if (err instanceof FileProblem) throw err
    throw new FileProblem(describeFsError(err))
  } finally {
    await fh.close()
  }
}

/** sharp's messages repeat lines and carry newlines; keep each distinct line once. */
export function sharpReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  const lines = [
    ...new Set(
      msg
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    )
  ]
  return lines.join('; ')
}

/** A sharp pipeline over the bytes of an image, BMP included (decoded in JS; see bmp.ts). */
export function openImage(buf: Buffer, limitInputPixels = PIXEL_LIMIT): Sharp {
  if (isBmp(buf)) return bmpToSharp(buf, limitInputPixels)
  return sharp(buf, { limitInputPixels })
}

export interface ImageFacts {
  /** as displayed, after the EXIF orientation */
  width: number
  height: number
  format: string
  orientation: number | null
}

/**
 * Every pixel must decode, not just the header: metadata() alone accepts a JPEG cut off half-way.
 * One channel is decoded to a raw buffer — as fast as a full raw decode (stats() is 4–10× slower)
 * with a third of the memory.
 */
export function decodeCheck(img: Sharp): Promise<Buffer> {
  return img.extractChannel(0).raw().toBuffer()
}

/** sharp's failOn message with no detail after it */
const WARNING_ONLY = /^Warning treated as error due to failOn setting$/i

/** Header facts plus a full decode (see decodeCheck). */
export async function probeBuffer(
  buf: Buffer,
  limitInputPixels = PIXEL_LIMIT
): Promise<ImageFacts> {
  if (buf.length === 0) throw new FileProblem('empty file (0 bytes)')
  try {
    if (isBmp(buf)) {
      const h = readBmpHeader(buf)
      await decodeCheck(bmpToSharp(buf, limitInputPixels))
      return { width: h.width, height: h.height, format: 'bmp', orientation: null }
    }
    const img = sharp(buf, { limitInputPixels })
    const meta = await img.metadata()
    if (!meta.width || !meta.height || !meta.format)
      throw new FileProblem('not an image: no dimensions or format could be read')
    if (meta.width * meta.height > limitInputPixels)
      throw new FileProblem(
        `Input image exceeds pixel limit: ${meta.width}×${meta.height} is more than ${limitInputPixels} pixels`
      )
    await decodeCheck(img)
    // Width and height as displayed: EXIF orientations 5–8 are rotated a quarter turn.
    const turned = (meta.orientation ?? 1) >= 5
    return {
      width: turned ? meta.height : meta.width,
      height: turned ? meta.width : meta.height,
      format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format,
      orientation: meta.orientation ?? null
    }
  } catch (err) {
    if (err instanceof FileProblem) throw err
    let reason = sharpReason(err)
    if (WARNING_ONLY.test(reason)) {
      // libvips sometimes loses the warning's own text to a decode on another thread (about one
      // time in three with several files in flight): decode once more for it, alone
      try {
        await decodeCheck(openImage(buf, limitInputPixels))
      } catch (again) {
        reason = sharpReason(again)
      }
      if (WARNING_ONLY.test(reason))
        reason = 'the image data is damaged or cut short (the decoder stopped on a warning)'
    }
    if (/unsupported image format/i.test(reason))
      throw new FileProblem(`not an image, or a format Glossa cannot read (${reason})`)
    throw new FileProblem(`cannot decode image: ${reason}`)
  }
}

export interface ProbeResult extends ImageFacts {
  sha256: string
  bytes: number
  mtimeMs: number
}

/** Reads, hashes and probes one image file; throws FileProblem with the reason. */
export async function probeFile(
  file: string,
  limitInputPixels = PIXEL_LIMIT
): Promise<ProbeResult> {
  const { buf, stat } = await readRegularFile(file)
  const sha256 = crypto.createHash('sha256').update(buf).digest('hex')
  let facts: ImageFacts
  try {
    facts = await probeBuffer(buf, limitInputPixels)
  } catch (err) {
    if (err instanceof FileProblem)
      err.facts = { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) }
    throw err
  }
  return { ...facts, sha256, bytes: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) }
}
