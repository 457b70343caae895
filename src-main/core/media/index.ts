import fs from 'node:fs'
import type { MediaVariant } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { prepared } from '../db/statements'
import { FileProblem } from '../import/probe'
import { ensureThumb, thumbPath } from './thumbs'

/** A file core hands out for an image id: the source ('full') or a cached rendition. */
export interface MediaFile {
  path: string
  mime: string
  size: number
  mtimeMs: number
  etag: string
}

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
  bmp: 'image/bmp'
}

interface MediaRow {
  path: string
  sha256: string | null
  format: string | null
  error: string | null
}

async function statOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(file)
  } catch {
    return null
  }
}

/**
 * Media by image id, never by a caller's path. 'full' is the imported source file itself;
 * 'thumb' (256 px) and 'preview' (1280 px) are WebP renditions made on demand and cached under
 * `<cacheDir>/thumbs/<variant>/<sha[0..2]>/<sha>.webp`, so identical files share one thumbnail.
 */
export async function getMedia(
  ctx: CoreContext,
  imageId: number,
  variant: MediaVariant
): Promise<MediaFile> {
  const row = prepared(ctx.db, 'SELECT path, sha256, format, error FROM images WHERE id = ?').get(
    imageId
  ) as MediaRow | undefined
  if (!row) throw new GlossaError('NOT_FOUND', `image ${imageId} does not exist`)
  if (row.error !== null || !row.sha256)
    throw new GlossaError('IO_ERROR', `${row.path}: ${row.error ?? 'not imported'}`, { imageId })

  if (variant === 'full') {
    const st = await statOrNull(row.path)
    if (!st?.isFile())
      throw new GlossaError('NOT_FOUND', `${row.path}: the source file no longer exists`, {
        imageId
      })
    return {
      path: row.path,
      mime: MIME[row.format ?? ''] ?? 'application/octet-stream',
      size: st.size,
      mtimeMs: st.mtimeMs,
      etag: `"${st.size.toString(16)}-${Math.trunc(st.mtimeMs).toString(16)}"`
    }
  }

  const target = thumbPath(ctx.cacheDir, variant, row.sha256)
  let st = await statOrNull(target)
  if (!st) {
    try {
      await ensureThumb(row.path, target, variant)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      if (err instanceof FileProblem && /not found|ENOENT/.test(reason))
        throw new GlossaError('NOT_FOUND', `${row.path}: ${reason}`, { imageId })
      throw new GlossaError('IO_ERROR', `${row.path}: ${reason}`, {
        imageId,
        path: row.path
      })
    }
    st = await fs.promises.stat(target)
  }
  return {
    path: target,
    mime: 'image/webp',
    size: st.size,
    mtimeMs: st.mtimeMs,
    etag: `"${variant}-${row.sha256}"`
  }
}
