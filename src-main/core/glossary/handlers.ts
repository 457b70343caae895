/**
 * glossary.*: CRUD, manual assignment, import/export, knowledge for captioning, and preview /
 * apply over many images (one undoable batch). Lint and 简/繁 conversion are captions.*.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import type { ReadableDB } from '../db/types'
import type { GlossaryProposal, GlossaryReason, KnowledgeEntry, Result } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { prepared } from '../db/statements'
import {
  assertDataset,
  assignImages,
  assignedImageIds,
  compiledFor,
  deleteEntry,
  entriesOf,
  findByName,
  getEntryRow,
  insertEntry,
  listEntryRows,
  nameKeys,
  recordFrom,
  updateEntry,
  validateEntry
} from './queries'
import {
  exportGlossaryCsv,
  exportGlossaryJson,
  importGlossaryCsv,
  importGlossaryJson,
  applyGlossary,
  knowledgeFor,
  type CompiledGlossary,
  type GlossaryEntry,
  type Proposal,
  type RowError
} from './'
import {
  loadImages,
  targetImages,
  writeBatch,
  type Planned,
  type TargetImage
} from '../captions/batch'

/** Largest glossary file read (a glossary is phrases; this leaves room for huge cells to be reported). */
const MAX_FILE = 64 * 1024 * 1024
const ASSIGNED_IDS_LIMIT = 10_000

function formatOf(file: string, format: 'csv' | 'json' | undefined): 'csv' | 'json' {
  if (format) return format
  const ext = path.extname(file).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.json') return 'json'
  throw new GlossaError(
    'INVALID_ARGS',
    `${file}: cannot tell the format from the extension; pass format 'csv' or 'json'`
  )
}

async function readGlossaryFile(file: string): Promise<Buffer> {
  let st
  try {
    st = await fs.stat(file)
  } catch (e) {
    throw new GlossaError('NOT_FOUND', `${file}: cannot read (${(e as Error).message})`)
  }
  if (!st.isFile()) throw new GlossaError('INVALID_ARGS', `${file}: not a file`)
  if (st.size > MAX_FILE) {
    throw new GlossaError(
      'INVALID_ARGS',
      `${file}: ${st.size} bytes; a glossary file may be at most ${MAX_FILE} bytes`
    )
  }
  return fs.readFile(file)
}

/** Writes next to the target and renames into place, so a failed export leaves no half file. */
async function writeAtomically(file: string, text: string, overwrite: boolean): Promise<void> {
  const dir = path.dirname(file)
  try {
    await fs.access(file)
    if (!overwrite)
      throw new GlossaError('CONFLICT', `${file}: already exists (pass overwrite to replace it)`)
  } catch (e) {
    if (e instanceof GlossaError) throw e
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`)
  try {
    await fs.writeFile(tmp, text, 'utf8')
    await fs.rename(tmp, file)
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw new GlossaError('IO_ERROR', `${file}: cannot write (${(e as Error).message})`)
  }
}

function importEntries(
  ctx: CoreContext,
  datasetId: number | null,
  entries: readonly GlossaryEntry[],
  rowErrors: RowError[]
): { added: number; updated: number; unchanged: number } {
  const db = ctx.db
  const out = { added: 0, updated: 0, unchanged: 0 }
  const imageIn = prepared(db, 'SELECT dataset_id FROM images WHERE id = ?')
  db.transaction(() => {
    const now = Date.now()
    for (const e of entries) {
      try {
        const existing = findByName(db, datasetId, nameKeys(e))
        let id: number
        if (existing) {
          id = existing.id
          if (updateEntry(db, id, datasetId, e, now)) out.updated++
          else out.unchanged++
        } else {
          id = insertEntry(db, datasetId, e, now)
          out.added++
        }
        // manual assignments from a JSON export of this library: kept where the image exists
        const ids = e.triggers.images
          .map(Number)
          .filter((n) => Number.isSafeInteger(n) && n > 0)
          .filter((n) => {
            const img = imageIn.get(n) as { dataset_id: number } | undefined
            return !!img && (datasetId === null || img.dataset_id === datasetId)
          })
        if (ids.length) assignImages(db, id, ids, true)
      } catch (err) {
        if (!(err instanceof GlossaError)) throw err
        rowErrors.push({ row: 0, message: `${e.name.zh ?? e.name.en}: ${err.message}` })
      }
    }
  }).immediate()
  return out
}

/**
 * Knowledge for generative captioning (the captioning jobs call this): the glossary entries that
 * apply to the image, as Hunyuan's insert_content content (names joined with 、), its full
 * prompt, and a context block for other VLM prompts.
 */
export function imageKnowledge(db: ReadableDB, imageId: number): Result<'glossary.knowledge'> {
  const row = prepared(db, 'SELECT dataset_id FROM images WHERE id = ?').get(imageId) as
    { dataset_id: number } | undefined
  if (!row) throw new GlossaError('NOT_FOUND', `image ${imageId} does not exist`)
  const [image] = loadImages(db, [imageId])
  const k = knowledgeFor(compiledFor(db, row.dataset_id), image!)
  const entries: KnowledgeEntry[] = k.items.map((it) => ({ ...it, entryId: Number(it.entryId) }))
  return { content: k.content, prompt: k.hunyuanPrompt, context: k.context, entries }
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

export const glossaryHandlers = {
  'glossary.list': (ctx, a) => {
    if (a.datasetId !== undefined) assertDataset(ctx.db, a.datasetId)
    return listEntryRows(ctx.db, a.datasetId ?? null, a.includeGlobal).map(recordFrom)
  },
  'glossary.get': (ctx, a) => ({
    ...recordFrom(getEntryRow(ctx.db, a.id)),
    assignedImageIds: assignedImageIds(ctx.db, a.id, ASSIGNED_IDS_LIMIT)
  }),
  'glossary.save': (ctx, a) => {
    const db = ctx.db
    const entry = validateEntry(a.entry)
    if (a.datasetId != null) assertDataset(db, a.datasetId)
    const id = db
      .transaction(() => {
        const now = Date.now()
        if (a.id === undefined) return insertEntry(db, a.datasetId ?? null, entry, now)
        const cur = getEntryRow(db, a.id)
        const datasetId = a.datasetId === undefined ? cur.dataset_id : a.datasetId
        updateEntry(db, a.id, datasetId, entry, now)
        return a.id
      })
      .immediate()
    return recordFrom(getEntryRow(db, id))
  },
  'glossary.delete': (ctx, a) => {
    ctx.db.transaction(() => deleteEntry(ctx.db, a.id)).immediate()
    return { id: a.id }
  },
  'glossary.assign': (ctx, a) => {
    const changed = ctx.db
      .transaction(() => assignImages(ctx.db, a.entryId, a.imageIds, a.assigned))
      .immediate()
    return { changed, assigned: getEntryRow(ctx.db, a.entryId).assigned }
  },
  'glossary.import': async (ctx, a) => {
    if (a.datasetId !== undefined) assertDataset(ctx.db, a.datasetId)
    const format = formatOf(a.file, a.format)
    const data = await readGlossaryFile(a.file)
    const parsed =
      format === 'csv' ? importGlossaryCsv(data, a.file) : importGlossaryJson(data, a.file)
    const rowErrors: RowError[] = [...parsed.errors]
    // the engine validated every entry with the core schema (the one the DB form uses)
    const counts = importEntries(ctx, a.datasetId ?? null, parsed.entries, rowErrors)
    return { ...counts, rowErrors }
  },
  'glossary.export': async (ctx, a) => {
    if (a.datasetId !== undefined) assertDataset(ctx.db, a.datasetId)
    const format = formatOf(a.file, a.format)
    const entries = entriesOf(ctx.db, listEntryRows(ctx.db, a.datasetId ?? null, false))
    const text = format === 'csv' ? exportGlossaryCsv(entries) : exportGlossaryJson(entries)
    const file = path.resolve(a.file)
    await writeAtomically(file, text, a.overwrite)
    return { file, entries: entries.length }
  },
  'glossary.knowledge': (ctx, a) => imageKnowledge(ctx.db, a.imageId),
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
  }
} satisfies Partial<HandlerMap>
