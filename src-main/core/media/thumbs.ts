import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { FileProblem, openImage, readRegularFile, sharpReason } from '../import/probe'

/** Longest side in pixels of each generated variant. */
export const VARIANT_SIZES = { thumb: 256, preview: 1280 } as const
export type GeneratedVariant = keyof typeof VARIANT_SIZES

export function thumbPath(cacheDir: string, variant: GeneratedVariant, sha256: string): string {
  return path.join(cacheDir, 'thumbs', variant, sha256.slice(0, 2), `${sha256}.webp`)
}

const inFlight = new Map<string, Promise<void>>()

/**
 * Renders `source` to a WebP of at most the variant's size, EXIF-rotated, written to a temp file
 * in the target folder and renamed into place so a reader never sees half a file. Concurrent
 * requests for the same target share one render.
 */
export function ensureThumb(
  source: string,
  target: string,
  variant: GeneratedVariant
): Promise<void> {
  const pending = inFlight.get(target)
  if (pending) return pending
  const p = render(source, target, variant).finally(() => inFlight.delete(target))
  inFlight.set(target, p)
  return p
}

async function render(source: string, target: string, variant: GeneratedVariant): Promise<void> {
  const size = VARIANT_SIZES[variant]
  const { buf } = await readRegularFile(source)
  await fs.promises.mkdir(path.dirname(target), { recursive: true })
  const tmp = `${target}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`
  try {
    await openImage(buf)
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: variant === 'thumb' ? 75 : 85 })
      .toFile(tmp)
    await fs.promises.rename(tmp, target)
  } catch (err) {
    await fs.promises.rm(tmp, { force: true })
    if (err instanceof FileProblem) throw err
    throw new FileProblem(sharpReason(err))
  }
}
