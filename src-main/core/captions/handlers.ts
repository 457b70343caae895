/**
 * captions.*, history.* and text.*: single caption edits (each one undoable batch), lint and
 * 简/繁 conversion over a target, undo/redo and per-image history, and the editor's pure text
 * helpers (structured render/parse, token budgets for HunyuanDiT's encoders).
 */
import {
  CAPTION_FIELDS,
  type CaptionFields,
  type CaptionResult,
  type HistoryBatch,
  type Lang,
  type LintIssue,
  type LintRule
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import {
  batchImages,
  listHistory,
  nextBatch,
  setCaption,
  setTags,
  withBatch,
  type Batch
} from '../db/journal'
import { compiledFor } from '../glossary/queries'
import { convertScript, lintImage } from '../glossary'
import { loadImages, targetImages, writeBatch, type Planned } from './batch'
import { imageHistory, revert } from './history'
import {
  captionRowFrom,
  fieldsJson,
  imageDataset,
  imageFileName,
  readCaption,
  readTags
} from './queries'
import { parse, parseForFields, render } from './text/structured'
import { budgetReport, loadTokenizer, type Encoder, type TokenCounter } from './text/tokens'
import { historyStep } from './undo-job'

const ENCODERS: Encoder[] = ['clip', 'mt5']

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

/** One edit of one image as its own batch, labelled with what changed and the file's name. */
function edit(
  ctx: CoreContext,
  imageId: number,
  what: string,
  fn: (b: Batch) => boolean
): number | null {
  const name = imageFileName(ctx.db, imageId)
  if (name === null) throw new GlossaError('NOT_FOUND', `image ${imageId} does not exist`)
  return withBatch(ctx, `${what} of ${name}`, (b) => fn(b)).batchId
}

/** A history batch with the few images it touched (the studio selects them after undo). */
function withImages<T extends HistoryBatch | null>(ctx: CoreContext, b: T): T {
  if (!b) return b
  const imageIds = batchImages(ctx.db, b.id)
  return imageIds ? { ...b, imageIds } : b
}

/** Refuses an undo/redo of `batchId` when another batch is next in line (CONFLICT). */
function expectNext(
  ctx: CoreContext,
  direction: 'undo' | 'redo',
  batchId: number | undefined
): void {
  if (batchId === undefined) return
  const next = nextBatch(ctx.db, direction)
  if (next?.id === batchId) return
  throw new GlossaError(
    'CONFLICT',
    next
      ? `"${next.label}" was done since; ${direction} it first (or reload the history)`
      : `nothing to ${direction}: the history changed since`,
    { expected: batchId, next: next?.id ?? null }
  )
}

async function tokenCounters(
  t: { clip?: string; mt5?: string } | undefined
): Promise<Partial<Record<Encoder, TokenCounter>>> {
  const out: Partial<Record<Encoder, TokenCounter>> = {}
  if (t?.clip) out.clip = await loadTokenizer(t.clip)
  if (t?.mt5) out.mt5 = await loadTokenizer(t.mt5)
  return out
}

function lintOut(issues: ReturnType<typeof lintImage>, rules?: readonly LintRule[]): LintIssue[] {
  return issues
    .filter((i) => !rules || rules.includes(i.rule))
    .map(({ entryId, ...rest }) =>
      entryId === undefined ? rest : { ...rest, entryId: Number(entryId) }
    )
}

function convertFields(
  fields: CaptionFields | null | undefined,
  to: Parameters<typeof convertScript>[1]
): CaptionFields | undefined {
  if (!fields) return undefined
  const out: Record<string, string> = {}
  for (const f of CAPTION_FIELDS) {
    const v = fields[f]
    if (v !== undefined) out[f] = convertScript(v, to)
  }
  return out as CaptionFields
}

export const captionsHandlers = {
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
  },
  'captions.lint': async (ctx, a) => {
    const counters = await tokenCounters(a.tokenizers)
    if ('imageId' in a) {
      const datasetId = imageDataset(ctx.db, a.imageId)
      if (datasetId === null)
        throw new GlossaError('NOT_FOUND', `image ${a.imageId} does not exist`)
      const [img] = loadImages(ctx.db, [a.imageId])
      const issues = lintOut(lintImage(compiledFor(ctx.db, datasetId), img!, { counters }))
      return {
        images: [{ imageId: img!.imageId, fileName: img!.fileName, issues }],
        total: issues.length ? 1 : 0,
        scanned: 1,
        truncated: false
      }
    }
    const cg = compiledFor(ctx.db, a.target.datasetId)
    const images: { imageId: number; fileName: string; issues: LintIssue[] }[] = []
    let total = 0
    let scanned = 0
    for await (const chunk of targetImages(ctx, a.target)) {
      scanned += chunk.length
      for (const img of chunk) {
        const issues = lintOut(lintImage(cg, img, { counters }), a.rules)
        if (!issues.length) continue
        total++
        if (images.length < a.limit)
          images.push({ imageId: img.imageId, fileName: img.fileName, issues })
      }
    }
    return { images, total, scanned, truncated: images.length < total }
  },
  'captions.convertScript': async (ctx, a) => {
    const exclude = new Set(a.excludeImageIds)
    const planned: Planned[] = []
    for await (const chunk of targetImages(ctx, a.target)) {
      for (const img of chunk) {
        const text = img[a.lang]
        if (text && !exclude.has(img.imageId) && convertScript(text, a.to) !== text)
          planned.push({ imageId: img.imageId })
      }
    }
    if (!planned.length) return { changed: 0, batchId: null }
    const label = `Convert ${a.lang} captions to ${a.to} (${planned.length} image${planned.length === 1 ? '' : 's'})`
    return writeBatch(ctx, label, planned, (img) => {
      const text = img[a.lang]
      if (!text) return {}
      const fields = convertFields(img.fields?.[a.lang], a.to)
      return { [a.lang]: { text: convertScript(text, a.to), ...(fields ? { fields } : {}) } }
    })
  },

  'history.undo': (ctx, a) => {
    expectNext(ctx, 'undo', a.batchId)
    return withImages(ctx, historyStep(ctx, 'undo'))
  },
  'history.redo': (ctx, a) => {
    expectNext(ctx, 'redo', a.batchId)
    return withImages(ctx, historyStep(ctx, 'redo'))
  },
  'history.list': (ctx, a) => listHistory(ctx.db, a.limit).map((b) => withImages(ctx, b)),
  'history.image': (ctx, a) => imageHistory(ctx.db, a.imageId, a.limit),
  'history.revert': (ctx, a) => revert(ctx, a.entryId),

  'text.render': (_ctx, a) => ({ text: render(a.fields, a.lang) }),
  'text.parse': (_ctx, a) => {
    const fields = a.forFields ? parseForFields(a.text, a.lang) : parse(a.text, a.lang)
    const text = render(fields, a.lang)
    return { fields, text, canonical: text === a.text }
  },
  'text.tokens': async (_ctx, a) => {
    const budgets = []
    for (const enc of ENCODERS) {
      const path = a.tokenizers?.[enc]
      const counter = path ? await loadTokenizer(path) : undefined
      const r = budgetReport(a.text, enc, counter)
      budgets.push({ ...r, label: counter?.label ?? `${enc} (estimate)` })
    }
    return { chars: [...a.text].length, budgets }
  }
} satisfies Partial<HandlerMap>
