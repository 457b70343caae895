/**
 * Glossary work over many images: preview and apply (one undoable batch), lint, and 简/繁
 * conversion. Images are read in keyed chunks with a yield to the event loop between chunks, so
 * a preview over 100,000 captions never blocks the main loop for long; the writes then land in
 * one journal batch, re-checking each caption against what the scan saw.
 */
import type { Database } from 'better-sqlite3'
import type {
  CaptionFields,
  GlossaryProposal,
  GlossaryReason,
  GlossaryTarget,
  Lang,
  LintIssue,
  LintRule
} from '../../shared/api'
import { CAPTION_FIELDS } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { setCaption, withBatch } from '../db/journal'
import { prepared } from '../db/queries/cache'
import { assertDataset, compiledFor } from '../db/queries/glossary'
import { pageImages } from '../db/queries/images'
import {
  applyGlossary,
  convertScript,
  lintImage,
  type ApplyImage,
  type CompiledGlossary,
  type Proposal
} from '../glossary'
import { parse } from '../text/structured'
import { loadTokenizer, type Encoder, type TokenCounter } from '../text/tokens'
import { fieldsJson } from './captions'

const CHUNK = 1000

export interface TargetImage extends ApplyImage {
  imageId: number
  fileName: string
  relPath: string
}

interface CapRow {
  image_id: number
  lang: Lang
  text: string
  fields: string | null
}

/** Images with their captions, fields and tags, in the order of `ids` (missing ids left out). */
export function loadImages(db: Database, ids: readonly number[]): TargetImage[] {
  const json = JSON.stringify(ids)
  const rows = prepared(
    db,
    `SELECT i.id, i.file_name, i.rel_path FROM images i
     WHERE i.id IN (SELECT value FROM json_each(?))`
  ).all(json) as { id: number; file_name: string; rel_path: string }[]
  const byId = new Map<number, TargetImage>()
  for (const r of rows) {
    byId.set(r.id, {
      id: String(r.id),
      imageId: r.id,
      fileName: r.file_name,
      relPath: r.rel_path,
      tags: [],
      zh: null,
      en: null,
      fields: {}
    })
  }
  const caps = prepared(
    db,
    `SELECT image_id, lang, text, fields FROM captions
     WHERE image_id IN (SELECT value FROM json_each(?))`
  ).all(json) as CapRow[]
  for (const c of caps) {
    const img = byId.get(c.image_id)
    if (!img) continue
    img[c.lang] = c.text
    img.fields![c.lang] = c.fields === null ? null : (JSON.parse(c.fields) as CaptionFields)
  }
  const tags = prepared(
    db,
    `SELECT image_id, tag FROM tags WHERE image_id IN (SELECT value FROM json_each(?))
     ORDER BY image_id, position`
  ).all(json) as { image_id: number; tag: string }[]
  for (const t of tags) (byId.get(t.image_id)?.tags as string[] | undefined)?.push(t.tag)
  return ids.map((id) => byId.get(id)).filter((x): x is TargetImage => !!x)
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** The images of a target, a chunk at a time (image id order for a selection, added order for a filter). */
export async function* targetImages(
  ctx: CoreContext,
  target: GlossaryTarget
): AsyncGenerator<TargetImage[]> {
  const db = ctx.db
  assertDataset(db, target.datasetId)
  if (target.imageIds) {
    const ids = [...new Set(target.imageIds)].sort((a, b) => a - b)
    const inSet = prepared(
      db,
      `SELECT count(*) AS n FROM images WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))`
    ).get(target.datasetId, JSON.stringify(ids)) as { n: number }
    if (inSet.n !== ids.length) {
      throw new GlossaError(
        'NOT_FOUND',
        `${ids.length - inSet.n} of the selected images are not in dataset ${target.datasetId}`
      )
    }
    for (let i = 0; i < ids.length; i += CHUNK) {
      if (ctx.closing.aborted) throw new GlossaError('CANCELLED', 'the library is closing')
      yield loadImages(db, ids.slice(i, i + CHUNK))
      await tick()
    }
    return
  }
  let cursor: string | null = null
  do {
    if (ctx.closing.aborted) throw new GlossaError('CANCELLED', 'the library is closing')
    const page = pageImages(db, {
      filter: { ...target.filter, datasetId: target.datasetId },
      sort: { key: 'added', dir: 'asc' },
      cursor,
      limit: CHUNK,
      withTotal: false
    })
    cursor = page.nextCursor
    if (page.rows.length)
      yield loadImages(
        db,
        page.rows.map((r) => r.id)
      )
    await tick()
  } while (cursor)
}

function reasonOut(r: Proposal['reasons'][number]): GlossaryReason {
  return { ...r, entryId: Number(r.entryId) }
}

function proposalOut(img: TargetImage, p: Proposal): GlossaryProposal {
  const out: GlossaryProposal = {
    imageId: img.imageId,
    fileName: img.fileName,
    relPath: img.relPath,
    reasons: p.reasons.map(reasonOut)
  }
  for (const lang of ['zh', 'en'] as const) {
    const c = p[lang]
    if (c) out[lang] = { before: c.before, after: c.after, diff: c.diff }
  }
  return out
}

function proposalsFor(cg: CompiledGlossary, images: TargetImage[]): [TargetImage, Proposal][] {
  const byId = new Map(images.map((i) => [i.id, i]))
  return applyGlossary(cg, images).map((p) => [byId.get(p.imageId)!, p])
}

/** The fields to store with a new text: the engine's, else re-parsed when the caption had fields. */
function fieldsFor(
  newFields: CaptionFields | undefined,
  oldFields: string | null,
  text: string,
  lang: Lang
): string | null {
  if (newFields) return fieldsJson(newFields)
  return oldFields === null ? null : fieldsJson(parse(text, lang))
}

interface Planned {
  imageId: number
}

/**
 * Writes planned changes as one batch. Each image is recomputed from its current captions inside
 * the transaction (`compute`), so an edit made between the scan and the write is never lost.
 */
function writeBatch(
  ctx: CoreContext,
  label: string,
  planned: readonly Planned[],
  compute: (img: TargetImage) => Partial<Record<Lang, { text: string; fields?: CaptionFields }>>
): { changed: number; batchId: number | null } {
  const out = withBatch(ctx, label, (b) => {
    const changed = new Set<number>()
    for (let i = 0; i < planned.length; i += CHUNK) {
      const imgs = loadImages(
        b.db,
        planned.slice(i, i + CHUNK).map((p) => p.imageId)
      )
      for (const img of imgs) {
        const next = compute(img)
        for (const lang of ['zh', 'en'] as const) {
          const n = next[lang]
          const cur = prepared(
            b.db,
            'SELECT text, fields, source FROM captions WHERE image_id = ? AND lang = ?'
          ).get(img.imageId, lang) as { text: string; fields: string | null; source: string }
          if (!n || !cur || n.text === cur.text) continue
          const wrote = setCaption(b, img.imageId, lang, {
            text: n.text,
            fields: fieldsFor(n.fields, cur.fields, n.text, lang),
            source: cur.source
          })
          if (wrote) changed.add(img.imageId)
        }
      }
    }
    return changed.size
  })
  return { changed: out.result, batchId: out.batchId }
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

export const glossaryBatchHandlers = {
  'glossary.preview': async (ctx, a) => {
    const cg = compiledFor(ctx.db, a.target.datasetId)
    const proposals: GlossaryProposal[] = []
    let total = 0
    let scanned = 0
    for await (const chunk of targetImages(ctx, a.target)) {
      scanned += chunk.length
      for (const [img, p] of proposalsFor(cg, chunk)) {
        total++
        if (proposals.length < a.limit) proposals.push(proposalOut(img, p))
      }
    }
    proposals.sort((x, y) => x.imageId - y.imageId)
    return {
      total,
      scanned,
      entries: cg.entries.length,
      proposals,
      truncated: proposals.length < total
    }
  },
  'glossary.apply': async (ctx, a) => {
    const cg = compiledFor(ctx.db, a.target.datasetId)
    const exclude = new Set(a.excludeImageIds)
    const planned: Planned[] = []
    for await (const chunk of targetImages(ctx, a.target)) {
      for (const [img] of proposalsFor(cg, chunk)) {
        if (!exclude.has(img.imageId)) planned.push({ imageId: img.imageId })
      }
    }
    if (!planned.length) return { changed: 0, batchId: null }
    const label = `Apply glossary (${planned.length} image${planned.length === 1 ? '' : 's'})`
    return writeBatch(ctx, label, planned, (img) => {
      const [p] = applyGlossary(cg, [img])
      return {
        ...(p?.zh ? { zh: { text: p.zh.after, fields: p.zh.fields } } : {}),
        ...(p?.en ? { en: { text: p.en.after, fields: p.en.fields } } : {})
      }
    })
  },
  'captions.lint': async (ctx, a) => {
    const counters = await tokenCounters(a.tokenizers)
    if ('imageId' in a) {
      const ds = prepared(ctx.db, 'SELECT dataset_id FROM images WHERE id = ?').get(a.imageId) as
        { dataset_id: number } | undefined
      if (!ds) throw new GlossaError('NOT_FOUND', `image ${a.imageId} does not exist`)
      const [img] = loadImages(ctx.db, [a.imageId])
      const issues = lintOut(lintImage(compiledFor(ctx.db, ds.dataset_id), img!, { counters }))
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
  }
} satisfies Partial<HandlerMap>
