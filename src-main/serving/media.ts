/** Media by id for both browser mode and the Electron protocol (src-main/serving: what both routers share): id → file the core imported. */
import type { ApiError, MediaVariant } from '../shared/api'
import type { Core, MediaFile } from '../core'
import { mimeFor } from './files'
import { toApiError } from '../shared/errors'

export const MEDIA_CACHE_CONTROL = 'private, max-age=300'

export interface OpenedMedia {
  file: string
  size: number
  mtimeMs: number
  mime: string
}

export async function openMedia(
  core: Pick<Core, 'media'>,
  variant: MediaVariant,
  id: number
): Promise<{ ok: true; media: OpenedMedia } | { ok: false; status: number; error: ApiError }> {
  let mf: MediaFile
  try {
    mf = await core.media(id, variant)
  } catch (err) {
    const e = toApiError(err)
    const status =
      e.code === 'NOT_FOUND' || e.code === 'IO_ERROR' ? 404 : e.code === 'INVALID_ARGS' ? 400 : 500
    return { ok: false, status, error: e }
  }
  return {
    ok: true,
    media: { file: mf.path, size: mf.size, mtimeMs: mf.mtimeMs, mime: mf.mime || mimeFor(mf.path) }
  }
}
