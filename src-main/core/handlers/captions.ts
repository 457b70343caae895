import { CAPTION_FIELDS, type CaptionFields, type CaptionResult, type Lang } from '../../shared/api'
import { parse, render } from '../text/structured'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { captionRowFrom, imageExists, readCaption, readTags } from '../db/queries/captions'
import { setCaption, setTags, withBatch, type Batch } from '../db/journal'

/** Fields as stored: only set keys, in CAPTION_FIELDS order, so equal fields compare equal. */
export function fieldsJson(fields: CaptionFields): string {
  const out: Record<string, string> = {}
  for (const f of CAPTION_FIELDS) if (fields[f] !== undefined) out[f] = fields[f]
  return JSON.stringify(out)
}

function result(
  ctx: CoreContext,
  imageId: number,
  lang: Lang | null,
  batchId: number | null
): CaptionResult {
  const cap = lang ? readCaption(ctx.db, imageId, lang) : undefined
  return {
    imageId,
    caption: cap ? captionRowFrom(cap) : null,
    tags: readTags(ctx.db, imageId),
    batchId
  }
}

function edit(
  ctx: CoreContext,
  imageId: number,
  label: string,
  fn: (b: Batch) => boolean
): number | null {
  if (!imageExists(ctx.db, imageId))
    throw new GlossaError('NOT_FOUND', `image ${imageId} does not exist`)
  return withBatch(ctx, label, (b) => fn(b)).batchId
}

export const captionHandlers = {
  'captions.setText': (ctx, a) => {
    // the fields follow the text (best-effort parse; an empty text has none); re-saving the
    // same text changes nothing
    const batchId = edit(ctx, a.imageId, `Edit ${a.lang} caption`, (b) => {
      const cur = readCaption(b.db, a.imageId, a.lang)
      const fields =
        cur && cur.text === a.text
          ? cur.fields
          : a.text.trim()
            ? fieldsJson(parse(a.text, a.lang))
            : null
      return setCaption(b, a.imageId, a.lang, { text: a.text, fields, source: 'manual' })
    })
    return result(ctx, a.imageId, a.lang, batchId)
  },
  'captions.setFields': (ctx, a) => {
    const batchId = edit(ctx, a.imageId, `Edit ${a.lang} fields`, (b) =>
      setCaption(b, a.imageId, a.lang, {
        text: render(a.fields, a.lang),
        fields: fieldsJson(a.fields),
        source: 'manual'
      })
    )
    return result(ctx, a.imageId, a.lang, batchId)
  },
  'captions.setTags': (ctx, a) => {
    const batchId = edit(ctx, a.imageId, 'Edit tags', (b) => setTags(b, a.imageId, a.tags))
    return result(ctx, a.imageId, null, batchId)
  }
} satisfies Partial<HandlerMap>
