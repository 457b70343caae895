/**
 * All of the captioning domain's SQL: the model registry (`models`, `endpoints`), the images a
 * caption run reads, per-image prompt records (`caption_prompts`), the job bookkeeping specific
 * to caption and download jobs. Statements are compiled once per connection (prepared()).
 */
import type { ReadableDB, WritableDB } from '../db/types'
import type { Lang, ModelKind } from '../../shared/api'
import { prepared } from '../db/statements'

// ---------------------------------------------------------------------------------------------
// models (local folders)

export interface ModelRow {
  id: string
  kind: Exclude<ModelKind, 'endpoint'>
  name: string
  dir: string
  info: string
  repo_id: string | null
  added_at: number
}

export function allModelRows(db: ReadableDB): ModelRow[] {
  return prepared(db, 'SELECT * FROM models ORDER BY added_at, id').all() as ModelRow[]
}

export function modelRow(db: ReadableDB, id: string): ModelRow | undefined {
  return prepared(db, 'SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined
}

export function modelByDir(
  db: ReadableDB,
  dir: string
): { id: string; name: string; repo_id: string | null } | undefined {
  return prepared(db, 'SELECT id, name, repo_id FROM models WHERE dir = ?').get(dir) as
    { id: string; name: string; repo_id: string | null } | undefined
}

/** Whether a model id is taken, by a local model or an endpoint. */
export function modelIdTaken(db: ReadableDB, id: string): boolean {
  return (
    prepared(db, 'SELECT 1 FROM models WHERE id = ?').get(id) !== undefined ||
    prepared(db, 'SELECT 1 FROM endpoints WHERE name = ?').get(id) !== undefined
  )
}

export function upsertModel(db: WritableDB, r: ModelRow): void {
  prepared(
    db,
    `INSERT INTO models (id, kind, name, dir, info, repo_id, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
       info = excluded.info, repo_id = excluded.repo_id`
  ).run(r.id, r.kind, r.name, r.dir, r.info, r.repo_id, r.added_at)
}

export function deleteModel(db: WritableDB, id: string): boolean {
  return prepared(db, 'DELETE FROM models WHERE id = ?').run(id).changes > 0
}

// ---------------------------------------------------------------------------------------------
// endpoints

export interface EndpointRow {
  name: string
  definition: string
  added_at: number
}

export function allEndpointRows(db: ReadableDB): EndpointRow[] {
  return prepared(db, 'SELECT * FROM endpoints ORDER BY added_at, name').all() as EndpointRow[]
}

export function endpointRow(db: ReadableDB, name: string): EndpointRow | undefined {
  return prepared(db, 'SELECT * FROM endpoints WHERE name = ?').get(name) as EndpointRow | undefined
}

export function upsertEndpoint(db: WritableDB, name: string, definition: string, at: number): void {
  prepared(
    db,
    `INSERT INTO endpoints (name, definition, added_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET definition = excluded.definition`
  ).run(name, definition, at)
}

export function deleteEndpoint(db: WritableDB, name: string): boolean {
  return prepared(db, 'DELETE FROM endpoints WHERE name = ?').run(name).changes > 0
}

// ---------------------------------------------------------------------------------------------
// images a caption run reads

export interface CaptionImageRow {
  id: number
  dataset_id: number
  path: string
  rel_path: string
  width: number | null
  height: number | null
  raw_caption: string | null
  tags_text: string
  error: string | null
}

const IMAGE_COLUMNS =
  'id, dataset_id, path, rel_path, width, height, raw_caption, tags_text, error FROM images'

export function captionImageRow(db: ReadableDB, id: number): CaptionImageRow | undefined {
  return prepared(db, `SELECT ${IMAGE_COLUMNS} WHERE id = ?`).get(id) as CaptionImageRow | undefined
}

/** The rows of `ids` that imported fine (a failed import has nothing to caption). */
export function captionImageRows(db: ReadableDB, ids: readonly number[]): CaptionImageRow[] {
  return prepared(
    db,
    `SELECT ${IMAGE_COLUMNS} WHERE id IN (SELECT value FROM json_each(?)) AND error IS NULL`
  ).all(JSON.stringify(ids)) as CaptionImageRow[]
}

export function imageUsable(db: ReadableDB, id: number): boolean {
  return prepared(db, 'SELECT 1 FROM images WHERE id = ? AND error IS NULL').get(id) !== undefined
}

export function datasetExists(db: ReadableDB, id: number): boolean {
  return prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(id) !== undefined
}

export function tagSources(db: ReadableDB, imageId: number): Set<string> {
  return new Set(
    (
      prepared(db, 'SELECT DISTINCT source FROM tags WHERE image_id = ?').all(imageId) as {
        source: string
      }[]
    ).map((r) => r.source)
  )
}

// ---------------------------------------------------------------------------------------------
// caption_prompts

export interface PromptRow {
  image_id: number
  lang: Lang
  source: string
  prompt: string
  rendered: string | null
  knowledge: string
  /** the caption text this prompt produced */
  caption: string
  at: number
}

export function writePrompt(db: WritableDB, r: PromptRow): void {
  prepared(
    db,
    `INSERT INTO caption_prompts (image_id, lang, source, prompt, rendered, knowledge, caption, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (image_id, lang) DO UPDATE SET source = excluded.source, prompt = excluded.prompt,
       rendered = excluded.rendered, knowledge = excluded.knowledge, caption = excluded.caption,
       at = excluded.at`
  ).run(r.image_id, r.lang, r.source, r.prompt, r.rendered, r.knowledge, r.caption, r.at)
}

/**
 * For lint: per image (ids as a JSON array) and language, the glossary names the prompt carried,
 * for prompts whose caption is still the text that run wrote.
 */
export function promptedNames(
  db: ReadableDB,
  idsJson: string
): { imageId: number; lang: Lang; names: { entryId: number; name: string }[] }[] {
  const rows = prepared(
    db,
    `SELECT p.image_id, p.lang, p.knowledge FROM caption_prompts p
       JOIN captions c ON c.image_id = p.image_id AND c.lang = p.lang AND c.text = p.caption
      WHERE p.image_id IN (SELECT value FROM json_each(?)) AND p.knowledge <> '[]'`
  ).all(idsJson) as { image_id: number; lang: Lang; knowledge: string }[]
  return rows.map((r) => ({
    imageId: r.image_id,
    lang: r.lang,
    names: JSON.parse(r.knowledge) as { entryId: number; name: string }[]
  }))
}

export function promptRows(db: ReadableDB, imageId: number): PromptRow[] {
  return prepared(db, 'SELECT * FROM caption_prompts WHERE image_id = ? ORDER BY lang').all(
    imageId
  ) as PromptRow[]
}

// ---------------------------------------------------------------------------------------------
// jobs

/** The newest unfinished download of `dir` from `base`, which a new download resumes. */
export function unfinishedDownload(db: ReadableDB, dir: string, base: string): number | null {
  const r = prepared(
    db,
    `SELECT id FROM jobs WHERE kind = 'download' AND status IN ('interrupted','queued','running','cancelled','failed')
       AND json_extract(params, '$.dir') = ? AND json_extract(params, '$.base') = ?
     ORDER BY id DESC LIMIT 1`
  ).get(dir, base) as { id: number } | undefined
  return r?.id ?? null
}

// ---------------------------------------------------------------------------------------------
// download jobs

export interface DownloadFileRow {
  path: string
  size: number
  sha256: string | null
  gitOid: string | null
}

/** Replaces a download job's file list (and its job items) in one transaction. */
export function setDownloadFiles(
  db: WritableDB,
  jobId: number,
  files: readonly DownloadFileRow[],
  addItems: (paths: string[]) => void
): void {
  db.transaction(() => {
    prepared(db, 'DELETE FROM job_items WHERE job_id = ?').run(jobId)
    prepared(db, 'DELETE FROM download_files WHERE job_id = ?').run(jobId)
    const ins = prepared(
      db,
      'INSERT INTO download_files (job_id, path, size, sha256, git_oid) VALUES (?, ?, ?, ?, ?)'
    )
    for (const f of files) ins.run(jobId, f.path, f.size, f.sha256, f.gitOid)
    addItems(files.map((f) => f.path))
    prepared(db, `UPDATE jobs SET phase = 'download', done = 0, failed = 0 WHERE id = ?`).run(jobId)
  })()
}

export function downloadFiles(db: ReadableDB, jobId: number): DownloadFileRow[] {
  return prepared(
    db,
    'SELECT path, size, sha256, git_oid AS gitOid FROM download_files WHERE job_id = ?'
  ).all(jobId) as DownloadFileRow[]
}

/** A resumed download retries the files that failed last time. */
export function retryFailedItems(db: WritableDB, jobId: number): void {
  prepared(
    db,
    `UPDATE job_items SET status = 'pending', error = NULL WHERE job_id = ? AND status = 'failed'`
  ).run(jobId)
}

// ---------------------------------------------------------------------------------------------
// presets

export interface PresetRow {
  id: string
  name: string
  lang: 'zh' | 'en'
  template: string
  output: 'text' | 'fields'
  content: 'none' | 'knowledge' | 'raw'
}

export function presetRows(db: ReadableDB): PresetRow[] {
  return prepared(db, 'SELECT * FROM presets ORDER BY id').all() as PresetRow[]
}

export function presetRow(db: ReadableDB, id: string): PresetRow | undefined {
  return prepared(db, 'SELECT * FROM presets WHERE id = ?').get(id) as PresetRow | undefined
}

export function upsertPreset(db: WritableDB, p: PresetRow, at: number): void {
  prepared(
    db,
    `INSERT INTO presets (id, name, lang, template, output, content, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, lang = excluded.lang,
       template = excluded.template, output = excluded.output, content = excluded.content,
       updated_at = excluded.updated_at`
  ).run(p.id, p.name, p.lang, p.template, p.output, p.content, at)
}

export function deletePresetRow(db: WritableDB, id: string): boolean {
  return prepared(db, 'DELETE FROM presets WHERE id = ?').run(id).changes > 0
}
