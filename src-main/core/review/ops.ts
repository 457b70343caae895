/**
 * Bulk operations, image by image: `planImage` works out what one operation would change on one
 * image (the preview's diffs) and a `write` that makes exactly that change through the journal.
 * Preview and apply share this code, so what the preview shows is what apply writes; apply plans
 * again from fresh rows inside its write transaction, so an edit made since the preview is never
 * overwritten blindly.
 */
import type { ReadableDB, WritableDB } from '../db/types'
import type { BulkDiff, BulkOp, Lang, ReviewStatus } from '../../shared/api'
import { setCaption, setStatus, setTags, type Batch, type TagsSnap } from '../db/journal'
import { prepared } from '../db/statements'
import { compileReplace, type Replacer } from './replace'
import { deleteImage, moveImage, setConcept } from './journal-ops'

type TagTuple = TagsSnap['tags'][number]

export interface ImageState {
  id: number
  fileName: string
  relPath: string
  path: string
  datasetId: number
  concept: string
  repeats: number | null
  status: ReviewStatus
  raw: string | null
  captions: Partial<Record<Lang, string>>
  tags: TagTuple[]
}

/** Loads the state of many images (missing ids are absent from the map). */
export function loadStates(db: ReadableDB, ids: readonly number[]): Map<number, ImageState> {
  const json = JSON.stringify(ids)
  const out = new Map<number, ImageState>()
  const rows = prepared(
    db,
    `SELECT id, file_name, rel_path, path, dataset_id, concept, repeats, status, raw_caption
       FROM images WHERE id IN (SELECT value FROM json_each(?))`
  ).all(json) as {
    id: number
    file_name: string
    rel_path: string
    path: string
    dataset_id: number
    concept: string
    repeats: number | null
    status: ReviewStatus
    raw_caption: string | null
  }[]
  for (const r of rows)
    out.set(r.id, {
      id: r.id,
      fileName: r.file_name,
      relPath: r.rel_path,
      path: r.path,
      datasetId: r.dataset_id,
      concept: r.concept,
      repeats: r.repeats,
      status: r.status,
      raw: r.raw_caption,
      captions: {},
      tags: []
    })
  const caps = prepared(
    db,
    'SELECT image_id, lang, text FROM captions WHERE image_id IN (SELECT value FROM json_each(?))'
  ).all(json) as { image_id: number; lang: Lang; text: string }[]
  for (const c of caps) {
    const s = out.get(c.image_id)
    if (s) s.captions[c.lang] = c.text
  }
  const tags = prepared(
    db,
    'SELECT image_id, tag, score, source FROM tags WHERE image_id IN (SELECT value FROM json_each(?)) ORDER BY image_id, position'
  ).all(json) as { image_id: number; tag: string; score: number | null; source: string }[]
  for (const t of tags) out.get(t.image_id)?.tags.push([t.tag, t.score, t.source])
  return out
}

/** An operation made ready to run (regexes compiled once). */
export interface PreparedOp {
  op: BulkOp
  replacer: Replacer | null
}

export function prepareOp(op: BulkOp): PreparedOp {
  return { op, replacer: op.kind === 'replace' ? compileReplace(op) : null }
}

export interface ImagePlan {
  diffs: BulkDiff[]
  /** the operation cannot apply to this image (move: its file is already in the target) */
  conflict: boolean
  write: ((b: Batch) => boolean) | null
}

const NONE: ImagePlan = { diffs: [], conflict: false, write: null }

const joinTags = (t: readonly TagTuple[]) => t.map((x) => x[0]).join(', ')

function dedupe(tags: TagTuple[]): TagTuple[] {
  const seen = new Set<string>()
  return tags.filter((t) => (seen.has(t[0]) ? false : (seen.add(t[0]), true)))
}

function tagPlan(s: ImageState, next: TagTuple[]): ImagePlan {
  const after = dedupe(next)
  if (JSON.stringify(after) === JSON.stringify(s.tags)) return NONE
  return {
    diffs: [
      {
        imageId: s.id,
        fileName: s.fileName,
        field: 'tags',
        before: joinTags(s.tags),
        after: joinTags(after)
      }
    ],
    conflict: false,
    write: (b) =>
      setTags(
        b,
        s.id,
        after.map(([tag, score, source]) => ({ tag, score, source }))
      )
  }
}

function newTag(tag: string): TagTuple {
  return [tag, null, 'manual']
}

function sortTags(tags: TagTuple[], mode: 'alpha' | 'score'): TagTuple[] {
  const out = [...tags]
  if (mode === 'alpha') out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  else out.sort((a, b) => (b[1] ?? -Infinity) - (a[1] ?? -Infinity))
  return out
}

function captionPlans(
  s: ImageState,
  langs: readonly Lang[],
  make: (lang: Lang) => string | null
): ImagePlan {
  const diffs: BulkDiff[] = []
  const writes: ((b: Batch) => boolean)[] = []
  for (const lang of langs) {
    const after = make(lang)
    const before = s.captions[lang]
    if (after === null || after === (before ?? '')) continue
    diffs.push({ imageId: s.id, fileName: s.fileName, field: lang, before: before ?? null, after })
    writes.push((b) => setCaption(b, s.id, lang, { text: after, source: 'manual' }))
  }
  if (!diffs.length) return NONE
  return { diffs, conflict: false, write: (b) => writes.map((w) => w(b)).some(Boolean) }
}

const DEFAULT_SEP: Record<Lang, string> = { en: ', ', zh: '，' }

/** What `p` would change on image `s`. `db` is used for conflict checks (move). */
export function planImage(db: WritableDB, p: PreparedOp, s: ImageState): ImagePlan {
  const op = p.op
  const diff = (field: BulkDiff['field'], before: string | null, after: string | null) => ({
    imageId: s.id,
    fileName: s.fileName,
    field,
    before,
    after
  })
  switch (op.kind) {
    case 'replace':
      return captionPlans(s, op.langs, (lang) => {
        const src = op.source === 'raw' ? s.raw : (s.captions[lang] ?? null)
        return src === null ? null : p.replacer!(src)
      })
    case 'trigger': {
      const plan = captionPlans(s, op.langs, (lang) => {
        const text = s.captions[lang]
        if (!text) return null
        const sep = op.separator ?? DEFAULT_SEP[lang]
        if (op.position === 'prepend') return text.startsWith(op.word) ? null : op.word + sep + text
        return text.endsWith(op.word) ? null : text + sep + op.word
      })
      if (!op.tags) return plan
      const others = s.tags.filter((t) => t[0] !== op.word)
      const cur = s.tags.find((t) => t[0] === op.word) ?? newTag(op.word)
      const tp = tagPlan(s, op.position === 'prepend' ? [cur, ...others] : [...others, cur])
      return {
        diffs: [...plan.diffs, ...tp.diffs],
        conflict: false,
        write:
          plan.write || tp.write
            ? (b) => [plan.write?.(b) ?? false, tp.write?.(b) ?? false].some(Boolean)
            : null
      }
    }
    case 'tags.add': {
      const have = new Set(s.tags.map((t) => t[0]))
      const add = op.tags.filter((t) => !have.has(t)).map(newTag)
      if (!add.length) return NONE
      return tagPlan(s, op.position === 'start' ? [...add, ...s.tags] : [...s.tags, ...add])
    }
    case 'tags.remove': {
      const drop = new Set(op.tags)
      return tagPlan(
        s,
        s.tags.filter((t) => !drop.has(t[0]))
      )
    }
    case 'tags.rename':
    case 'tags.merge': {
      const from = new Set(op.kind === 'tags.rename' ? [op.from] : op.tags)
      const to = op.kind === 'tags.rename' ? op.to : op.into
      if (!s.tags.some((t) => from.has(t[0]))) return NONE
      return tagPlan(
        s,
        s.tags.map((t): TagTuple => (from.has(t[0]) ? [to, t[1], t[2]] : t))
      )
    }
    case 'tags.reorder': {
      if (op.mode !== 'front') return tagPlan(s, sortTags(s.tags, op.mode))
      const order = op.tags ?? []
      const front = order
        .map((name) => s.tags.find((t) => t[0] === name))
        .filter((t): t is TagTuple => t !== undefined)
      const set = new Set(order)
      return tagPlan(s, [...front, ...s.tags.filter((t) => !set.has(t[0]))])
    }
    case 'status':
      if (s.status === op.status) return NONE
      return {
        diffs: [diff('status', s.status, op.status)],
        conflict: false,
        write: (b) => setStatus(b, s.id, op.status)
      }
    case 'concept': {
      const diffs: BulkDiff[] = []
      if (op.concept !== undefined && op.concept !== s.concept)
        diffs.push(diff('concept', s.concept, op.concept))
      if (op.repeats !== undefined && op.repeats !== s.repeats)
        diffs.push(
          diff(
            'repeats',
            s.repeats === null ? null : String(s.repeats),
            op.repeats === null ? null : String(op.repeats)
          )
        )
      if (!diffs.length) return NONE
      return {
        diffs,
        conflict: false,
        write: (b) => setConcept(b, s.id, { concept: op.concept, repeats: op.repeats })
      }
    }
    case 'move': {
      if (s.datasetId === op.datasetId) return NONE
      if (
        prepared(db, 'SELECT 1 FROM images WHERE dataset_id = ? AND path = ?').get(
          op.datasetId,
          s.path
        )
      )
        return { diffs: [], conflict: true, write: null }
      return {
        diffs: [diff('dataset', String(s.datasetId), String(op.datasetId))],
        conflict: false,
        write: (b) => moveImage(b, s.id, op.datasetId)
      }
    }
    case 'delete':
      return {
        diffs: [diff('image', s.relPath, null)],
        conflict: false,
        write: (b) => deleteImage(b, s.id)
      }
  }
}

function quote(s: string, max = 40): string {
  return `“${s.length > max ? `${s.slice(0, max)}…` : s}”`
}

/** The journal label of a bulk operation over `n` images. */
export function opLabel(op: BulkOp, n: number): string {
  const what = (() => {
    switch (op.kind) {
      case 'replace':
        return `Replace ${quote(op.find)} → ${quote(op.replace)}${op.source === 'raw' ? ' (from raw)' : ''}`
      case 'tags.add':
        return `Add tags ${op.tags.join(', ')}`
      case 'tags.remove':
        return `Remove tags ${op.tags.join(', ')}`
      case 'tags.rename':
        return `Rename tag ${op.from} → ${op.to}`
      case 'tags.merge':
        return `Merge tags ${op.tags.join(', ')} → ${op.into}`
      case 'tags.reorder':
        return `Reorder tags (${op.mode})`
      case 'status':
        return `Set status ${op.status}`
      case 'concept':
        return `Set concept ${[op.concept, op.repeats === undefined ? undefined : `repeats ${op.repeats ?? '-'}`].filter((x) => x !== undefined).join(', ')}`
      case 'trigger':
        return `${op.position === 'prepend' ? 'Prepend' : 'Append'} trigger ${quote(op.word)}`
      case 'move':
        return `Move to dataset ${op.datasetId}`
      case 'delete':
        return 'Delete from library'
    }
  })()
  return `${what} (${n} image${n === 1 ? '' : 's'})`
}
