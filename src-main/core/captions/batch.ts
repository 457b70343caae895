/**
 * Caption work over many images (glossary preview/apply, lint, 简/繁 conversion): images are read
 * with their captions and tags in keyed chunks with a yield to the event loop between chunks, so a
 * scan over 100,000 captions never blocks the loop for long; writes then land in one journal
 * batch, written in short transactions (review/sliced.ts) that recompute each image from its
 * current captions inside them.
 */
import type { ReadableDB } from '../db/types'
import type { CaptionFields, GlossaryTarget, Lang } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { setCaption } from '../db/journal'
import { SlicedBatch } from '../review/sliced'
import { prepared } from '../db/statements'
import { assertDataset } from '../glossary/queries'
import { pageImages } from '../images/queries'
import type { ApplyImage } from '../glossary'
import { parse } from './text/structured'
import { fieldsJson } from './queries'
import { promptedNames } from '../captioning/queries'

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
  source: string
}

/** Images with their captions, fields and tags, in the order of `ids` (missing ids left out). */
export function loadImages(db: ReadableDB, ids: readonly number[]): TargetImage[] {
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
    `SELECT image_id, lang, text, fields, source FROM captions
     WHERE image_id IN (SELECT value FROM json_each(?))`
  ).all(json) as CapRow[]
  for (const c of caps) {
    const img = byId.get(c.image_id)
    if (!img) continue
    img[c.lang] = c.text
    if (c.source === 'cleanup' && c.text.trim() === '')
      img.emptied = [...(img.emptied ?? []), c.lang]
    img.fields![c.lang] = c.fields === null ? null : (JSON.parse(c.fields) as CaptionFields)
  }
  const tags = prepared(
    db,
    `SELECT image_id, tag FROM tags WHERE image_id IN (SELECT value FROM json_each(?))
     ORDER BY image_id, position`
  ).all(json) as { image_id: number; tag: string }[]
  for (const t of tags) (byId.get(t.image_id)?.tags as string[] | undefined)?.push(t.tag)
  for (const p of promptedNames(db, json)) {
    const img = byId.get(p.imageId)
    if (img) img.prompted = { ...img.prompted, [p.lang]: p.names }
  }
  return ids.map((id) => byId.get(id)).filter((x): x is TargetImage => !!x)
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** The image ids of a target, a chunk at a time (image id order for a selection, added order for a filter). */
export async function* targetIdChunks(
  ctx: CoreContext,
  target: GlossaryTarget
): AsyncGenerator<number[]> {
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
      yield ids.slice(i, i + CHUNK)
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
    if (page.rows.length) yield page.rows.map((r) => r.id)
    await tick()
  } while (cursor)
}

/** The images of a target, a chunk at a time (image id order for a selection, added order for a filter). */
export async function* targetImages(
  ctx: CoreContext,
  target: GlossaryTarget
): AsyncGenerator<TargetImage[]> {
  for await (const ids of targetIdChunks(ctx, target)) yield loadImages(ctx.db, ids)
}

/** The fields to store with a new text: the engine's, else re-parsed when the caption had fields. */
export function fieldsFor(
  newFields: CaptionFields | undefined,
  oldFields: string | null,
  text: string,
  lang: Lang
): string | null {
  if (newFields) return fieldsJson(newFields)
  return oldFields === null ? null : fieldsJson(parse(text, lang))
}

export interface Planned {
  imageId: number
}

/** Images with their captions and tags by id (loadImages), for a SlicedBatch's `load`. */
export function imagesById(db: ReadableDB, ids: readonly number[]): Map<number, TargetImage> {
  return new Map(loadImages(db, ids).map((img) => [img.imageId, img]))
}

/**
 * Writes planned changes as one undoable batch, in short transactions with the core free between
 * them (SlicedBatch). Each image is recomputed from its current captions inside its transaction
 * (`compute`), so an edit made between the scan and the write is never lost.
 */
export async function writeBatch(
  ctx: CoreContext,
  label: string,
  planned: readonly Planned[],
  compute: (img: TargetImage) => Partial<Record<Lang, { text: string; fields?: CaptionFields }>>
): Promise<{ changed: number; batchId: number | null }> {
  let changed = 0
  const w = new SlicedBatch(ctx, label)
  try {
    await w.write(
      planned.map((p) => p.imageId),
      imagesById,
      (b, _id, img) => {
        const next = compute(img)
        let wrote = false
        for (const lang of ['zh', 'en'] as const) {
          const n = next[lang]
          const cur = prepared(
            b.db,
            'SELECT text, fields, source FROM captions WHERE image_id = ? AND lang = ?'
          ).get(img.imageId, lang) as { text: string; fields: string | null; source: string }
          if (!n || !cur || n.text === cur.text) continue
          wrote =
            setCaption(b, img.imageId, lang, {
              text: n.text,
              fields: fieldsFor(n.fields, cur.fields, n.text, lang),
              source: cur.source
            }) || wrote
        }
        if (wrote) changed++
      }
    )
  } finally {
    w.end()
  }
  return { changed, batchId: w.batchId }
}
