import { CAPTION_FIELDS, type CaptionFields, type CaptionResult, type Lang } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { captionRowFrom, imageExists, readCaption, readTags } from '../db/queries/captions'
import { setCaption, setCaptionText, setTags, withBatch, type Batch } from '../db/journal'

const SEPARATOR: Record<Lang, string> = { zh: '，', en: ', ' }

/**
 * TEMPORARY renderer: the non-empty field values in CAPTION_FIELDS order, joined with the
 * language's separator. Issue 5 (structured captions) replaces this with the per-language
 * templates of DESIGN.md (采用…构图, 呈现出…风格, …) and a parser for the way back.
 */
export function renderFieldsPlain(fields: CaptionFields, lang: Lang): string {
  return CAPTION_FIELDS.map((f) => fields[f]?.trim() ?? '')
    .filter((v) => v !== '')
    .join(SEPARATOR[lang])
}

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
    const batchId = edit(ctx, a.imageId, `Edit ${a.lang} caption`, (b) =>
      setCaptionText(b, a.imageId, a.lang, a.text)
    )
    return result(ctx, a.imageId, a.lang, batchId)
  },
  'captions.setFields': (ctx, a) => {
    const batchId = edit(ctx, a.imageId, `Edit ${a.lang} fields`, (b) =>
      setCaption(b, a.imageId, a.lang, {
        text: renderFieldsPlain(a.fields, a.lang),
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
