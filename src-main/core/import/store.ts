import path from 'node:path'
import type { Statement } from 'better-sqlite3'
import type { ReadableDB, WritableDB } from '../db/types'
import { markJobItem } from '../jobs/runner'
import { guessLang } from '../captions/text/cjk'
import type { ItemOutcome } from './item'
import { conceptForFolder } from './kohya'

/** Where a path sits under the import root: '/'-separated relative path, folder, concept. */
export function placeUnder(root: string, file: string) {
  const rel = path.relative(root, file).split(path.sep).join('/')
  const slash = rel.lastIndexOf('/')
  const folder = slash < 0 ? '' : rel.slice(0, slash)
  const fileName = slash < 0 ? rel : rel.slice(slash + 1)
  return { relPath: rel, folder, fileName, ...conceptForFolder(folder, path.basename(root)) }
}

export interface BatchCounts {
  done: number
  failed: number
  imageIds: number[]
}

interface Stmts {
  upsertOk: Statement
  upsertError: Statement
  getCaption: Statement
  insCaption: Statement
  updCaption: Statement
  tagSources: Statement
  delTags: Statement
  insTag: Statement
  setTagsText: Statement
}

/** images.flags bit: a kohya regularisation image (reg folder) */
export const FLAG_REG = 1

const cache = new WeakMap<ReadableDB, Stmts>()

function stmts(db: WritableDB): Stmts {
  let s = cache.get(db)
  if (s) return s
  s = {
    upsertOk: db.prepare(`
      INSERT INTO images (dataset_id, path, root, rel_path, file_name, folder, concept, repeats,
                          sha256, width, height, format, orientation, bytes, mtime_ms,
                          raw_caption, raw_file, raw_encoding, raw_mtime_ms, flags, error, added_at, updated_at)
      VALUES (@datasetId, @path, @root, @relPath, @fileName, @folder, @concept, @repeats,
              @sha256, @width, @height, @format, @orientation, @bytes, @mtimeMs,
              @raw, @rawFile, @rawEncoding, @rawMtimeMs, @reg, NULL, @now, @now)
      ON CONFLICT (dataset_id, path) DO UPDATE SET
        root = excluded.root, rel_path = excluded.rel_path, file_name = excluded.file_name,
        folder = excluded.folder, concept = excluded.concept, repeats = excluded.repeats,
        sha256 = excluded.sha256, width = excluded.width, height = excluded.height,
        format = excluded.format, orientation = excluded.orientation, bytes = excluded.bytes,
        mtime_ms = excluded.mtime_ms,
        raw_caption  = CASE WHEN @keepRaw THEN raw_caption  ELSE excluded.raw_caption  END,
        raw_file     = CASE WHEN @keepRaw THEN raw_file     ELSE excluded.raw_file     END,
        raw_encoding = CASE WHEN @keepRaw THEN raw_encoding ELSE excluded.raw_encoding END,
        raw_mtime_ms = CASE WHEN @keepRaw THEN raw_mtime_ms ELSE excluded.raw_mtime_ms END,
        flags = (flags & ~${FLAG_REG}) | excluded.flags,
        error = NULL, updated_at = excluded.updated_at
      RETURNING id`),
    upsertError: db.prepare(`
      INSERT INTO images (dataset_id, path, root, rel_path, file_name, folder, concept, repeats,
                          bytes, mtime_ms, error, added_at, updated_at)
      VALUES (@datasetId, @path, @root, @relPath, @fileName, @folder, @concept, @repeats,
              @bytes, @mtimeMs, @reason, @now, @now)
      ON CONFLICT (dataset_id, path) DO UPDATE SET
        bytes = excluded.bytes, mtime_ms = excluded.mtime_ms, error = excluded.error,
        updated_at = excluded.updated_at
      RETURNING id`),
    getCaption: db.prepare('SELECT source, text FROM captions WHERE image_id = ? AND lang = ?'),
    insCaption: db.prepare(
      `INSERT INTO captions (image_id, lang, text, source, updated_at, updated_by)
       VALUES (?, ?, ?, 'import', ?, ?)`
    ),
    updCaption: db.prepare(
      `UPDATE captions SET text = ?, updated_at = ?, updated_by = ? WHERE image_id = ? AND lang = ?`
    ),
    tagSources: db.prepare('SELECT tag, source FROM tags WHERE image_id = ? ORDER BY position'),
    delTags: db.prepare('DELETE FROM tags WHERE image_id = ?'),
    insTag: db.prepare(
      `INSERT INTO tags (image_id, position, tag, score, source) VALUES (?, ?, ?, NULL, 'import')`
    ),
    setTagsText: db.prepare('UPDATE images SET tags_text = ? WHERE id = ?')
  }
  cache.set(db, s)
  return s
}

/**
 * The starting caption: the raw text in the language it is written in. Created only when that
 * language has no caption yet; an 'import' caption follows a changed raw, but a manual or model
 * caption is never touched.
 */
function seedCaption(s: Stmts, imageId: number, raw: string, now: number, actor: string): void {
  const text = raw.trim()
  if (!text) return
  const lang = guessLang(text)
  const cur = s.getCaption.get(imageId, lang) as { source: string; text: string } | undefined
  if (!cur) s.insCaption.run(imageId, lang, text, now, actor)
  else if (cur.source === 'import' && cur.text !== text)
    s.updCaption.run(text, now, actor, imageId, lang)
}

/**
 * Tags from a metadata file: set when the image has none, or only imported ones (which follow
 * the file); tags edited by hand or by a model are never touched.
 */
function seedTags(s: Stmts, imageId: number, tags: readonly string[]): void {
  const cur = s.tagSources.all(imageId) as { tag: string; source: string }[]
  if (cur.some((t) => t.source !== 'import')) return
  const list = [...new Set(tags)]
  if (cur.length === list.length && cur.every((t, i) => t.tag === list[i])) return
  s.delTags.run(imageId)
  list.forEach((t, i) => s.insTag.run(imageId, i, t))
  s.setTagsText.run(list.join(', '), imageId)
}

/**
 * Stores one batch of outcomes and marks their job items, all in ONE transaction: after a crash
 * either the whole batch (rows and item marks) is there or none of it is.
 */
export function writeBatch(
  db: WritableDB,
  jobId: number,
  datasetId: number,
  root: string,
  outcomes: ItemOutcome[],
  actor: string
): BatchCounts {
  const s = stmts(db)
  const counts: BatchCounts = { done: 0, failed: 0, imageIds: [] }
  db.transaction(() => {
    const now = Date.now()
    for (const o of outcomes) {
      if (o.kind === 'unchanged') {
        markJobItem(db, jobId, o.seq, 'skipped')
        counts.done++
        continue
      }
      const place = placeUnder(root, o.path)
      const common = { datasetId, path: o.path, root, ...place, now }
      if (o.kind === 'error') {
        const r = s.upsertError.get({
          ...common,
          bytes: o.bytes,
          mtimeMs: o.mtimeMs,
          reason: o.reason
        }) as {
          id: number
        }
        counts.imageIds.push(r.id)
        markJobItem(db, jobId, o.seq, 'failed', o.reason)
        counts.failed++
        continue
      }
      const p = o.probe
      const sc = o.sidecar
      const r = s.upsertOk.get({
        ...common,
        sha256: p.sha256,
        width: p.width,
        height: p.height,
        format: p.format,
        orientation: p.orientation,
        bytes: p.bytes,
        mtimeMs: p.mtimeMs,
        raw: sc?.text ?? null,
        rawFile: sc?.file ?? null,
        rawEncoding: sc?.encoding ?? null,
        rawMtimeMs: sc?.mtimeMs ?? null,
        keepRaw: sc === undefined ? 1 : 0,
        reg: o.reg ? FLAG_REG : 0
      }) as { id: number }
      counts.imageIds.push(r.id)
      if (sc) seedCaption(s, r.id, o.captionText ?? sc.text, now, actor)
      if (o.tags) seedTags(s, r.id, o.tags)
      if (o.sidecarError) {
        markJobItem(db, jobId, o.seq, 'failed', o.sidecarError)
        counts.failed++
      } else {
        markJobItem(db, jobId, o.seq, 'done', o.note ?? null)
        counts.done++
      }
    }
  })()
  return counts
}
