import type { ImageDetail, Lang } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { prepared } from '../db/statements'
import { captionRowFrom, readCaptions, readTags } from '../captions/queries'
import { CAPTION_JOINS, ROW_COLUMNS, imageRowFrom, pageImages, type RawImageRow } from './queries'
import { setStatus, withBatch } from '../db/journal'
import type { ReviewStatus } from '../../shared/api'

interface DetailRow extends RawImageRow {
  path: string
  sha256: string | null
  orientation: number | null
  mtime_ms: number
  raw_caption: string | null
  raw_file: string | null
  raw_encoding: string | null
}

export function getImage(ctx: CoreContext, id: number): ImageDetail {
  const r = prepared(
    ctx.db,
    `SELECT ${ROW_COLUMNS}, i.path, i.sha256, i.orientation, i.mtime_ms, i.raw_caption, i.raw_file, i.raw_encoding
       FROM images i ${CAPTION_JOINS} WHERE i.id = ?`
  ).get(id) as DetailRow | undefined
  if (!r) throw new GlossaError('NOT_FOUND', `image ${id} does not exist`)
  const captions: Record<Lang, ImageDetail['captions'][Lang]> = { zh: null, en: null }
  for (const c of readCaptions(ctx.db, id)) captions[c.lang] = captionRowFrom(c)
  return {
    ...imageRowFrom(r),
    path: r.path,
    sha256: r.sha256,
    orientation: r.orientation,
    mtimeMs: r.mtime_ms,
    raw: r.raw_caption,
    rawFile: r.raw_file,
    rawEncoding: r.raw_encoding,
    captions,
    tagRows: readTags(ctx.db, id)
  }
}

/** The journal label of a status change: "Approve img12.png", "Reject 40 images". */
function statusLabel(status: ReviewStatus, what: string): string {
  switch (status) {
    case 'approved':
      return `Approve ${what}`
    case 'rejected':
      return `Reject ${what}`
    case 'needs-work':
      return `Mark ${what} as needs work`
    case 'unreviewed':
      return `Mark ${what} as unreviewed`
  }
}

/** Sets the review status of many images as one undoable batch. Unknown ids: NOT_FOUND, nothing changes. */
export function setStatusMany(
  ctx: CoreContext,
  ids: readonly number[],
  status: ReviewStatus
): { changed: number; batchId: number | null } {
  const exists = prepared(ctx.db, 'SELECT 1 FROM images WHERE id = ?')
  const unique = [...new Set(ids)]
  const name =
    unique.length === 1
      ? (prepared(ctx.db, 'SELECT file_name FROM images WHERE id = ?').pluck().get(unique[0]) as
          string | undefined)
      : undefined
  const label = statusLabel(status, name ?? `${unique.length} images`)
  const out = withBatch(ctx, label, (b) => {
    let changed = 0
    for (const id of new Set(ids)) {
      if (!exists.get(id)) throw new GlossaError('NOT_FOUND', `image ${id} does not exist`)
      if (setStatus(b, id, status)) changed++
    }
    return changed
  })
  return { changed: out.result, batchId: out.batchId }
}

export const imagesHandlers = {
  'images.page': (ctx, a) => pageImages(ctx.db, a),
  'images.get': (ctx, a) => getImage(ctx, a.id),
  'images.setStatus': (ctx, a) => setStatusMany(ctx, a.ids, a.status)
} satisfies Partial<HandlerMap>
