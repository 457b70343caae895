/**
 * The edit journal: every change to a caption, the tag list or the review status goes through a
 * batch, which records a before/after snapshot per (image, kind, lang) so the whole batch can be
 * undone and redone byte-exactly.
 *
 *   const { result, batchId } = withBatch(ctx, 'Set zh caption', (b) =>
 *     setCaptionText(b, imageId, 'zh', text))
 *
 * One batch = one IMMEDIATE transaction: the batch row, the writes and their entries commit
 * together, so an acknowledged edit is on disk with its undo information. A batch that changed
 * nothing is deleted (no empty history entries). When a batch lands, the redo stack (batches
 * marked undone) is discarded. All statements are prepared once per connection, so a batch of
 * tens of thousands of edits (bulk replace, model runs) is one transaction of cheap statements.
 *
 * Snapshots (JSON in journal_entries.before/after; NULL = the row did not exist):
 *  - caption: { text, fields, source, updated_at, updated_by } — fields is the stored JSON text;
 *  - tags:    { tags: [tag, score, source][], text: images.tags_text, updated_at };
 *  - status:  { status, updated_at }.
 */
import type { ReadableDB, WritableDB } from './types'
import type { ChangeKind, HistoryBatch, Lang, ReviewStatus } from '../../shared/api'
import { CHANGE_KINDS } from '../../shared/constants'
import type { CoreContext } from '../context'
import { GlossaError } from '../../shared/errors'
import { prepared } from './statements'
import { readCaption } from '../captions/queries'
import { OCR_FLAG_MASK } from '../images/flags'
import {
  applyConcept,
  applyDataset,
  applyDatasetRow,
  applyImage,
  type ConceptSnap,
  type DatasetGone,
  type DatasetRowSnap,
  type DatasetSnap,
  type ImageSnap
} from '../review/snapshots'

/**
 * 'concept', 'dataset' (an image's move), 'image' (delete/restore) and 'datasetRow' (a dataset's
 * own removal and restore, image_id 0): see review/snapshots.ts
 */
export type EntryKind =
  'caption' | 'tags' | 'status' | 'concept' | 'dataset' | 'image' | 'datasetRow' | 'ocr'

export interface CaptionSnap {
  text: string
  fields: string | null
  source: string
  updated_at: number
  updated_by: string | null
}
export interface TagsSnap {
  tags: [tag: string, score: number | null, source: string][]
  text: string
  updated_at: number
}
export interface StatusSnap {
  status: ReviewStatus
  updated_at: number
}
/** the OCR bits of images.flags (images/flags.ts OCR_FLAG_MASK) */
export interface OcrSnap {
  bits: number
}

/** An open batch, handed to the write helpers. */
export interface Batch {
  readonly id: number
  readonly db: WritableDB
  /** who the edits are recorded as (resolved once per batch) */
  readonly actor: string
  /** the batch's timestamp (ms), used as updated_at of every write */
  readonly now: number
  /** images touched so far */
  readonly imageIds: Set<number>
  /** what the batch changed (kinds, datasets), for its library.changed event */
  readonly changed: ChangeNote
  items: number
  record(imageId: number, kind: EntryKind, lang: Lang | null, before: unknown, after: unknown): void
}

export interface BatchOutcome<T> {
  result: T
  /** null when nothing changed (no batch was kept) */
  batchId: number | null
  items: number
}

/** Runs `fn` inside one transaction as one undoable batch; emits library.changed if anything changed. */
export function withBatch<T>(
  ctx: CoreContext,
  label: string,
  fn: (b: Batch) => T
): BatchOutcome<T> {
  // A fresh batch is an append to no batch: it is kept only if something changed, and a new
  // edit discards the redo stack.
  return appendToBatch(ctx, null, label, fn)
}

/**
 * Appends to a long-running batch (a caption job) in its own short IMMEDIATE transaction, so a
 * run that commits chunk by chunk is still ONE undoable batch. `batchId` null — or a batch that
 * was undone or discarded meanwhile — opens a new batch labelled `label` (kept only if the chunk
 * changed something). `fn` runs inside the transaction: write job-item marks there too.
 * Returns the batch id in use (null while nothing has changed yet).
 */
export function appendToBatch<T>(
  ctx: CoreContext,
  batchId: number | null,
  label: string,
  fn: (b: Batch) => T
): BatchOutcome<T> {
  const db = ctx.db
  const actor = ctx.actor()
  let touched: number[] = []
  const note = new ChangeNote()
  const run = db.transaction((): BatchOutcome<T> => {
    const now = Date.now()
    const live =
      batchId !== null &&
      prepared(
        db,
        'SELECT 1 FROM journal_batches WHERE id = ? AND undone = 0 AND moving IS NULL'
      ).get(batchId) !== undefined
    const id = live
      ? batchId
      : Number(
          prepared(
            db,
            'INSERT INTO journal_batches (label, actor, created_at) VALUES (?, ?, ?)'
          ).run(label, actor, now).lastInsertRowid
        )
    const insEntry = prepared(
      db,
      'INSERT INTO journal_entries (batch_id, image_id, kind, lang, before, after) VALUES (?, ?, ?, ?, ?, ?)'
    )
    const b: Batch = {
      id,
      db,
      actor,
      now,
      imageIds: new Set(),
      changed: note,
      items: 0,
      record(imageId, kind, lang, before, after) {
        note.add(kind, before, after)
        insEntry.run(
          id,
          imageId,
          kind,
          lang,
          before == null ? null : JSON.stringify(before),
          after == null ? null : JSON.stringify(after)
        )
        this.items++
        this.imageIds.add(imageId)
      }
    }
    const result = fn(b)
    touched = [...b.imageIds]
    if (b.items === 0) {
      if (!live) prepared(db, 'DELETE FROM journal_batches WHERE id = ?').run(id)
      return { result, batchId: live ? id : null, items: 0 }
    }
    prepared(db, 'UPDATE journal_batches SET items = items + ? WHERE id = ?').run(b.items, id)
    prepared(db, DISCARD_REDO).run()
    return { result, batchId: id, items: b.items }
  })
  const out = db.inTransaction ? run() : run.immediate()
  if (touched.length) emitChanged(ctx, touched, label, note)
  return out
}

/** A new edit discards the redo stack, except a batch an 'undo' job is redoing right now. */
const DISCARD_REDO = 'DELETE FROM journal_batches WHERE undone = 1 AND moving IS NULL'

/** The kinds of library data (CHANGE_KINDS) a journal entry of each kind changes. */
const ENTRY_CHANGES: Record<EntryKind, readonly ChangeKind[]> = {
  caption: ['captions'],
  tags: ['tags'],
  status: ['status'],
  concept: ['images'],
  // a move changes both datasets' summaries and grids
  dataset: ['images', 'datasets'],
  image: ['images', 'captions', 'tags', 'status', 'datasets', 'glossary'],
  datasetRow: ['datasets', 'images', 'captions', 'tags', 'status', 'glossary', 'cleanupRules'],
  // OCR's flags (read, watermark) decide the grid's has-text filter
  ocr: ['images']
}

type Obj = Record<string, unknown> | null | undefined
const parsed = (v: unknown): Obj => (typeof v === 'string' ? (JSON.parse(v) as Obj) : (v as Obj))

/**
 * What a run of journal entries changed, for the library.changed event: the kinds of data, and
 * the datasets their snapshots name (a move's two datasets, a removed image's or dataset's own);
 * the datasets of the other images are looked up when the event is sent (emitChanged).
 */
export class ChangeNote {
  readonly kinds = new Set<ChangeKind>()
  readonly datasets = new Set<number>()

  /** `before` / `after`: the snapshots, as objects or as their stored JSON */
  add(kind: EntryKind, before: unknown, after: unknown): void {
    for (const k of ENTRY_CHANGES[kind] ?? CHANGE_KINDS) this.kinds.add(k)
    if (kind !== 'dataset' && kind !== 'image' && kind !== 'datasetRow') return
    for (const raw of [before, after]) {
      const snap = parsed(raw)
      if (!snap) continue
      const d =
        kind === 'dataset'
          ? snap.dataset_id
          : kind === 'image'
            ? (snap.row as Obj)?.dataset_id
            : (snap.id ?? (snap.row as Obj)?.id)
      if (typeof d === 'number') this.datasets.add(d)
    }
  }
}

/** Above this many images the datasets they belong to are not looked up (any dataset). */
const LOOKUP_MAX = 50_000

/**
 * Sends library.changed for the images `ids` (id 0: a dataset's own row): which datasets (the
 * note's, and those of the images still there) and which kinds of data changed, so a client
 * re-reads only what depends on them. Without a note the kinds are unknown (anything).
 */
export function emitChanged(
  ctx: CoreContext,
  ids: number[],
  reason: string,
  note?: ChangeNote
): void {
  // image id 0 marks a library-level entry (a dataset's own row): then any image may have changed
  const imageIds = ids.includes(0) || ids.length > 1000 ? null : ids
  let datasetIds: number[] | null = null
  if (ids.length <= LOOKUP_MAX && ctx.db.open) {
    const found = prepared(
      ctx.db,
      'SELECT DISTINCT dataset_id FROM images WHERE id IN (SELECT value FROM json_each(?))'
    )
      .pluck()
      .all(JSON.stringify(ids.filter((i) => i > 0))) as number[]
    datasetIds = [...new Set([...found, ...(note?.datasets ?? [])])].sort((x, y) => x - y)
  }
  ctx.emit('library.changed', {
    datasetId: datasetIds?.length === 1 ? datasetIds[0]! : null,
    ...(datasetIds ? { datasetIds } : {}),
    imageIds,
    ...(note ? { kinds: [...note.kinds] } : {}),
    reason
  })
}

// ---------------------------------------------------------------------------------------------
// Applying snapshots (forward edits, undo and redo all write through these)

export function applyCaption(
  db: WritableDB,
  imageId: number,
  lang: Lang,
  s: CaptionSnap | null
): void {
  if (s === null) {
    prepared(db, 'DELETE FROM captions WHERE image_id = ? AND lang = ?').run(imageId, lang)
    return
  }
  prepared(
    db,
    `INSERT INTO captions (image_id, lang, text, fields, source, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (image_id, lang) DO UPDATE SET text = excluded.text, fields = excluded.fields,
       source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by`
  ).run(imageId, lang, s.text, s.fields, s.source, s.updated_at, s.updated_by)
}

export function applyTags(db: WritableDB, imageId: number, s: TagsSnap): void {
  prepared(db, 'DELETE FROM tags WHERE image_id = ?').run(imageId)
  const ins = prepared(
    db,
    'INSERT INTO tags (image_id, position, tag, score, source) VALUES (?, ?, ?, ?, ?)'
  )
  s.tags.forEach(([tag, score, source], i) => ins.run(imageId, i, tag, score, source))
  prepared(db, 'UPDATE images SET tags_text = ?, updated_at = ? WHERE id = ?').run(
    s.text,
    s.updated_at,
    imageId
  )
}

export function applyStatus(db: WritableDB, imageId: number, s: StatusSnap): void {
  prepared(db, 'UPDATE images SET status = ?, updated_at = ? WHERE id = ?').run(
    s.status,
    s.updated_at,
    imageId
  )
}

function captionSnap(db: ReadableDB, imageId: number, lang: Lang): CaptionSnap | null {
  const r = readCaption(db, imageId, lang)
  return r
    ? {
        text: r.text,
        fields: r.fields,
        source: r.source,
        updated_at: r.updated_at,
        updated_by: r.updated_by
      }
    : null
}

export function tagsSnap(db: ReadableDB, imageId: number): TagsSnap | null {
  const img = prepared(db, 'SELECT tags_text, updated_at FROM images WHERE id = ?').get(imageId) as
    { tags_text: string; updated_at: number } | undefined
  if (!img) return null
  const rows = prepared(
    db,
    'SELECT tag, score, source FROM tags WHERE image_id = ? ORDER BY position'
  ).all(imageId) as {
    tag: string
    score: number | null
    source: string
  }[]
  return {
    tags: rows.map((r) => [r.tag, r.score, r.source]),
    text: img.tags_text,
    updated_at: img.updated_at
  }
}

// ---------------------------------------------------------------------------------------------
// Write helpers: each compares with the current state, writes only a real change and records it.
// They return true when something changed.

export interface CaptionWrite {
  text: string
  /** stored JSON of structured fields; undefined = keep the current fields */
  fields?: string | null
  /** 'manual' | 'import' | 'model:<id>' */
  source: string
}

/** Sets a caption's text (and optionally fields and source) through the journal. */
export function setCaption(b: Batch, imageId: number, lang: Lang, w: CaptionWrite): boolean {
  const before = captionSnap(b.db, imageId, lang)
  const fields = w.fields === undefined ? (before?.fields ?? null) : w.fields
  if (
    before ? before.text === w.text && before.fields === fields : w.text === '' && fields === null
  )
    return false
  const after: CaptionSnap = {
    text: w.text,
    fields,
    source: w.source,
    updated_at: b.now,
    updated_by: b.actor
  }
  applyCaption(b.db, imageId, lang, after)
  b.record(imageId, 'caption', lang, before, after)
  return true
}

/** A manual text edit: source becomes 'manual'; fields are kept as they are. */
export function setCaptionText(b: Batch, imageId: number, lang: Lang, text: string): boolean {
  return setCaption(b, imageId, lang, { text, source: 'manual' })
}

export interface TagWrite {
  tag: string
  score?: number | null
  source?: string
}

function ocrBits(db: ReadableDB, imageId: number): number | undefined {
  const r = prepared(db, 'SELECT flags FROM images WHERE id = ?').get(imageId) as
    { flags: number } | undefined
  return r === undefined ? undefined : r.flags & OCR_FLAG_MASK
}

export function applyOcr(db: WritableDB, imageId: number, s: OcrSnap): void {
  prepared(db, `UPDATE images SET flags = (flags & ~${OCR_FLAG_MASK}) | ? WHERE id = ?`).run(
    s.bits & OCR_FLAG_MASK,
    imageId
  )
}

/** Sets the OCR bits of an image (images/flags.ts) through the journal. */
export function setOcrFlags(b: Batch, imageId: number, bits: number): boolean {
  const cur = ocrBits(b.db, imageId)
  if (cur === undefined || cur === (bits & OCR_FLAG_MASK)) return false
  const before: OcrSnap = { bits: cur }
  const after: OcrSnap = { bits: bits & OCR_FLAG_MASK }
  applyOcr(b.db, imageId, after)
  b.record(imageId, 'ocr', null, before, after)
  return true
}

/** Replaces the ordered tag list (positions 0..n-1) and the denormalised images.tags_text. */
export function setTags(b: Batch, imageId: number, tags: readonly TagWrite[]): boolean {
  const before = tagsSnap(b.db, imageId)
  if (!before) return false
  const seen = new Set<string>()
  const list: TagsSnap['tags'] = []
  for (const t of tags) {
    if (seen.has(t.tag)) continue
    seen.add(t.tag)
    list.push([t.tag, t.score ?? null, t.source ?? 'manual'])
  }
  if (JSON.stringify(list) === JSON.stringify(before.tags)) return false
  const after: TagsSnap = { tags: list, text: list.map((t) => t[0]).join(', '), updated_at: b.now }
  applyTags(b.db, imageId, after)
  b.record(imageId, 'tags', null, before, after)
  return true
}

/** Sets the review status. */
export function setStatus(b: Batch, imageId: number, status: ReviewStatus): boolean {
  const cur = prepared(b.db, 'SELECT status, updated_at FROM images WHERE id = ?').get(imageId) as
    StatusSnap | undefined
  if (!cur || cur.status === status) return false
  const after: StatusSnap = { status, updated_at: b.now }
  applyStatus(b.db, imageId, after)
  b.record(imageId, 'status', null, { status: cur.status, updated_at: cur.updated_at }, after)
  return true
}

// ---------------------------------------------------------------------------------------------
// Undo / redo / list

export interface BatchRow {
  id: number
  label: string
  actor: string | null
  created_at: number
  items: number
  undone: number
  moving: 'undo' | 'redo' | null
  cursor: number | null
  job_id: number | null
}
export interface EntryRow {
  id: number
  image_id: number
  kind: EntryKind
  lang: Lang | null
  before: string | null
  after: string | null
}

export function historyBatchFrom(r: BatchRow): HistoryBatch {
  return {
    id: r.id,
    label: r.label,
    actor: r.actor,
    createdAt: r.created_at,
    items: r.items,
    undone: r.undone === 1
  }
}

/**
 * What the journal knows about each kind of entry: how to write a snapshot back, and whether the
 * value an undo or redo would overwrite is still the one the batch left (compared by content —
 * caption text and fields, the tag list, the status, concept and repeats, the dataset, whether
 * the image exists — not by timestamps, so an edit put back by hand still counts as unchanged).
 * The map is exhaustive over EntryKind (a new kind does not compile until it is here), and an
 * entry of a kind this build does not know is an error, never silently skipped.
 */
interface KindImpl {
  /** whether the entry is about an image row that may no longer exist (see `apply`) */
  perImage: boolean
  apply(db: WritableDB, e: EntryRow, snap: unknown): void
  /** `exp` is the snapshot the batch left (null: the row did not exist) */
  isCurrent(db: ReadableDB, e: EntryRow, exp: Record<string, unknown> | null): boolean
  nouns: [one: string, many: string]
}

const imageField = <T>(db: ReadableDB, sql: string, id: number): T | undefined =>
  prepared(db, sql).get(id) as T | undefined

const KINDS: { readonly [K in EntryKind]: KindImpl } = {
  caption: {
    perImage: true,
    apply: (db, e, snap) =>
      applyCaption(db, e.image_id, e.lang as Lang, snap as CaptionSnap | null),
    isCurrent(db, e, exp) {
      const cur = readCaption(db, e.image_id, e.lang as Lang)
      if (!exp) return !cur
      return !!cur && cur.text === exp.text && (cur.fields ?? null) === (exp.fields ?? null)
    },
    nouns: ['caption', 'captions']
  },
  tags: {
    perImage: true,
    apply: (db, e, snap) => {
      if (snap) applyTags(db, e.image_id, snap as TagsSnap)
    },
    isCurrent(db, e, exp) {
      const cur = tagsSnap(db, e.image_id)
      return !exp || (!!cur && JSON.stringify(cur.tags) === JSON.stringify(exp.tags))
    },
    nouns: ['tag list', 'tag lists']
  },
  status: {
    perImage: true,
    apply: (db, e, snap) => {
      if (snap) applyStatus(db, e.image_id, snap as StatusSnap)
    },
    isCurrent: (db, e, exp) =>
      !exp ||
      imageField<{ status: string }>(db, 'SELECT status FROM images WHERE id = ?', e.image_id)
        ?.status === exp.status,
    nouns: ['review status', 'review statuses']
  },
  concept: {
    perImage: true,
    apply: (db, e, snap) => {
      if (snap) applyConcept(db, e.image_id, snap as ConceptSnap)
    },
    isCurrent(db, e, exp) {
      const cur = imageField<{ concept: string; repeats: number | null }>(
        db,
        'SELECT concept, repeats FROM images WHERE id = ?',
        e.image_id
      )
      return (
        !exp || (cur?.concept === exp.concept && (cur?.repeats ?? null) === (exp.repeats ?? null))
      )
    },
    nouns: ['concept', 'concepts']
  },
  dataset: {
    perImage: true,
    apply: (db, e, snap) => {
      if (snap) applyDataset(db, e.image_id, snap as DatasetSnap)
    },
    isCurrent: (db, e, exp) =>
      !exp ||
      imageField<{ dataset_id: number }>(
        db,
        'SELECT dataset_id FROM images WHERE id = ?',
        e.image_id
      )?.dataset_id === exp.dataset_id,
    nouns: ['dataset move', 'dataset moves']
  },
  image: {
    perImage: false,
    apply: (db, e, snap) => applyImage(db, e.image_id, snap as ImageSnap | null),
    isCurrent: (db, e, exp) =>
      (prepared(db, 'SELECT 1 FROM images WHERE id = ?').get(e.image_id) !== undefined) ===
      (exp !== null),
    nouns: ['image', 'images']
  },
  ocr: {
    perImage: true,
    apply: (db, e, snap) => {
      if (snap) applyOcr(db, e.image_id, snap as OcrSnap)
    },
    isCurrent: (db, e, exp) => !exp || ocrBits(db, e.image_id) === exp.bits,
    nouns: ['text flag', 'text flags']
  },
  datasetRow: {
    perImage: false,
    apply: (db, _e, snap) => {
      if (snap !== null) applyDatasetRow(db, snap as DatasetRowSnap | DatasetGone)
    },
    isCurrent: () => true,
    nouns: ['dataset', 'datasets']
  }
}

function kindOf(e: EntryRow): KindImpl {
  const k = Object.hasOwn(KINDS, e.kind) ? KINDS[e.kind] : undefined
  if (!k)
    throw new GlossaError(
      'INTERNAL',
      `journal entry ${e.id} has a kind this Glossa does not know ("${String(e.kind)}"); it was left as it is`
    )
  return k
}

/** Writes one entry's `before` (undo) or `after` (redo) snapshot. */
export function applyEntry(db: WritableDB, e: EntryRow, json: string | null): void {
  const k = kindOf(e)
  // an image deleted since the edit (re-import, dataset removal) has nothing to restore
  if (k.perImage && !prepared(db, 'SELECT 1 FROM images WHERE id = ?').get(e.image_id)) return
  k.apply(db, e, json === null ? null : (JSON.parse(json) as unknown))
}

/**
 * Whether the value an entry would overwrite is still the one its batch left there: `expected`
 * is the entry's `after` (undo) or `before` (redo).
 */
export function entryIsCurrent(db: ReadableDB, e: EntryRow, expected: string | null): boolean {
  const k = kindOf(e)
  const exp = expected === null ? null : (JSON.parse(expected) as Record<string, unknown>)
  // nothing to restore either way on an image deleted since (see applyEntry)
  if (k.perImage && !prepared(db, 'SELECT 1 FROM images WHERE id = ?').get(e.image_id)) return true
  return k.isCurrent(db, e, exp)
}

/**
 * Undo (`before`) or redo (`after`) of one entry, only where the current value is still the one
 * the batch wrote: a newer edit is never overwritten. Returns false when the entry was skipped.
 */
export function revertEntry(db: WritableDB, e: EntryRow, direction: 'undo' | 'redo'): boolean {
  const undo = direction === 'undo'
  if (!entryIsCurrent(db, e, undo ? e.after : e.before)) return false
  applyEntry(db, e, undo ? e.before : e.after)
  return true
}

/** "3 captions and 1 review status changed since; left as they are", or null when none. */
export function skippedNote(counts: Partial<Record<EntryKind, number>>): string | null {
  const parts = (Object.keys(KINDS) as EntryKind[])
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${KINDS[k].nouns[counts[k] === 1 ? 0 : 1]}`)
  if (!parts.length) return null
  const list =
    parts.length === 1
      ? parts[0]
      : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0)
  return `${list} changed since; left as ${total === 1 ? 'it is' : 'they are'}`
}

/** The images a batch touched when there are at most `max` (else undefined). */
export function batchImages(db: ReadableDB, batchId: number, max = 20): number[] | undefined {
  const ids = prepared(
    db,
    'SELECT DISTINCT image_id FROM journal_entries WHERE batch_id = ? AND image_id > 0 LIMIT ?'
  )
    .pluck()
    .all(batchId, max + 1) as number[]
  return ids.length > max ? undefined : ids
}

/** The batch an undo (newest not undone) or redo (oldest undone) would apply next. */
export function nextBatch(db: ReadableDB, direction: 'undo' | 'redo'): BatchRow | undefined {
  return prepared(
    db,
    direction === 'undo'
      ? 'SELECT * FROM journal_batches WHERE undone = 0 ORDER BY id DESC LIMIT 1'
      : 'SELECT * FROM journal_batches WHERE undone = 1 ORDER BY id ASC LIMIT 1'
  ).get() as BatchRow | undefined
}

export function listHistory(db: ReadableDB, limit: number): HistoryBatch[] {
  return (
    prepared(db, 'SELECT * FROM journal_batches ORDER BY id DESC LIMIT ?').all(limit) as BatchRow[]
  ).map(historyBatchFrom)
}
