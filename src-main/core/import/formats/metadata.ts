/**
 * Readers for metadata files. Every reader returns rows (with where they are) and row problems;
 * none throws on a bad row — only an unreadable file is fatal, with its path and the reason.
 *  - sd-scripts fine-tune JSON: { "<key>": { caption, tags, ... } }, keys absolute, relative or
 *    stems (formats.md §3); JSONL: { image_path, caption, tags } per line.
 *  - Hugging Face imagefolder metadata.jsonl / metadata.csv: `file_name` relative to the file's
 *    folder (or absolute), the caption column selectable (default `text`), optional `tags`.
 *  - HunyuanDiT CSV: `img_path` (what csv2arrow reads) or `image_path` + `text_zh`, utf-8-sig.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { GlossaError } from '../../../shared/errors'
import { decodeText, normaliseNewlines } from '../text'
import type { MetaRow, RowProblem } from './types'

export interface ReadResult {
  rows: MetaRow[]
  problems: RowProblem[]
  columns: string[]
  mtimeMs: number
}

async function readText(file: string): Promise<{ text: string; mtimeMs: number }> {
  try {
    const [buf, st] = await Promise.all([fs.promises.readFile(file), fs.promises.stat(file)])
    // decodeText drops a UTF-8 BOM (utf-8-sig) and handles UTF-16 / GB18030 exports
    return { text: decodeText(buf).text, mtimeMs: Math.trunc(st.mtimeMs) }
  } catch (err) {
    throw new GlossaError(
      'IO_ERROR',
      `${file}: the metadata file cannot be read: ${(err as Error).message}`,
      { path: file }
    )
  }
}

export function splitTagList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((t) => String(t).trim()).filter(Boolean)
  if (typeof v !== 'string') return []
  return v
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
}

function captionOf(v: unknown): string | null {
  if (typeof v !== 'string') return null
  return normaliseNewlines(v)
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** sd-scripts metadata (.json object or .jsonl lines). `bases` resolve relative keys. */
export async function readSdScripts(file: string, bases: string[]): Promise<ReadResult> {
  const { text, mtimeMs } = await readText(file)
  const name = path.basename(file)
  const rows: MetaRow[] = []
  const problems: RowProblem[] = []
  const allBases = [...bases, path.dirname(file)]
  if (file.toLowerCase().endsWith('.jsonl')) {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return
      const where = `${name} line ${i + 1}`
      let obj: unknown
      try {
        obj = JSON.parse(line)
      } catch (err) {
        problems.push({
          key: `${file}#${i + 1}`,
          reason: `${where}: not JSON (${(err as Error).message})`
        })
        return
      }
      if (!isObject(obj) || typeof obj.image_path !== 'string' || !obj.image_path) {
        problems.push({ key: `${file}#${i + 1}`, reason: `${where}: no "image_path"` })
        return
      }
      rows.push({
        where,
        file,
        key: obj.image_path,
        caption: captionOf(obj.caption),
        tags: splitTagList(obj.tags),
        bases: allBases
      })
    })
    return { rows, problems, columns: ['image_path', 'caption', 'tags'], mtimeMs }
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new GlossaError('INVALID_ARGS', `${file}: not valid JSON: ${(err as Error).message}`, {
      path: file
    })
  }
  if (!isObject(doc))
    throw new GlossaError(
      'INVALID_ARGS',
      `${file}: not sd-scripts metadata (expected an object of images)`
    )
  for (const [key, v] of Object.entries(doc)) {
    const where = `${name} key "${key}"`
    if (!isObject(v)) {
      problems.push({ key: `${file}#${key}`, reason: `${where}: the value is not an object` })
      continue
    }
    rows.push({
      where,
      file,
      key,
      caption: captionOf(v.caption),
      tags: splitTagList(v.tags),
      bases: allBases
    })
  }
  return { rows, problems, columns: ['caption', 'tags'], mtimeMs }
}

function csvRecords(text: string, file: string): Record<string, string>[] {
  try {
    return parseCsv(text, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true
    }) as Record<string, string>[]
  } catch (err) {
    throw new GlossaError(
      'INVALID_ARGS',
      `${file}: not a readable CSV: ${(err as Error).message}`,
      {
        path: file
      }
    )
  }
}

export function csvHeader(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? ''
  try {
    const rows = parseCsv(first, { relax_column_count: true }) as string[][]
    return (rows[0] ?? []).map((c) => c.trim())
  } catch {
    return []
  }
}

/** Hugging Face imagefolder metadata (.jsonl or .csv). */
export async function readHf(
  file: string,
  opts: { captionColumn?: string; tagsColumn?: string }
): Promise<ReadResult> {
  const { text, mtimeMs } = await readText(file)
  const name = path.basename(file)
  const capCol = opts.captionColumn ?? 'text'
  const tagCol = opts.tagsColumn ?? 'tags'
  const rows: MetaRow[] = []
  const problems: RowProblem[] = []
  const bases = [path.dirname(file)]
  const columns = new Set<string>()
  const take = (rec: Record<string, unknown>, where: string, k: string) => {
    for (const c of Object.keys(rec)) columns.add(c)
    const fileName = rec.file_name
    if (typeof fileName !== 'string' || fileName === '') {
      problems.push({ key: k, reason: `${where}: no "file_name"` })
      return
    }
    const cap = rec[capCol]
    if (cap !== undefined && cap !== null && typeof cap !== 'string') {
      problems.push({ key: k, reason: `${where}: column "${capCol}" is not text` })
      return
    }
    rows.push({
      where,
      file,
      key: fileName,
      caption: captionOf(cap),
      tags: tagCol ? splitTagList(rec[tagCol]) : [],
      bases
    })
  }
  if (file.toLowerCase().endsWith('.csv')) {
    csvRecords(text, file).forEach((rec, i) =>
      take(rec, `${name} row ${i + 2}`, `${file}#${i + 2}`)
    )
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return
      const where = `${name} line ${i + 1}`
      let obj: unknown
      try {
        obj = JSON.parse(line)
      } catch (err) {
        problems.push({
          key: `${file}#${i + 1}`,
          reason: `${where}: not JSON (${(err as Error).message})`
        })
        return
      }
      if (!isObject(obj)) {
        problems.push({ key: `${file}#${i + 1}`, reason: `${where}: not a JSON object` })
        return
      }
      take(obj, where, `${file}#${i + 1}`)
    })
  }
  if (rows.length > 0 && !columns.has(capCol))
    problems.push({ key: file, reason: `${name}: no column "${capCol}"; images get no caption` })
  return { rows, problems, columns: [...columns], mtimeMs }
}

/** HunyuanDiT CSV: img_path (csv2arrow) or image_path (README) + text_zh, utf-8-sig. */
export async function readHunyuan(file: string, root: string): Promise<ReadResult> {
  const { text, mtimeMs } = await readText(file)
  const name = path.basename(file)
  const dir = path.dirname(file)
  // README layout: dataset/<name>/{images/, csvfile/image_text.csv}: relative to <name> too
  const bases = [...new Set([dir, path.dirname(dir), root])]
  const recs = csvRecords(text, file)
  const columns = csvHeader(text)
  const rows: MetaRow[] = []
  const problems: RowProblem[] = []
  if (!columns.includes('text_zh'))
    throw new GlossaError(
      'INVALID_ARGS',
      `${file}: no "text_zh" column (HunyuanDiT CSV needs img_path + text_zh)`
    )
  recs.forEach((rec, i) => {
    const where = `${name} row ${i + 2}`
    const key = rec.img_path || rec.image_path || ''
    if (!key) {
      problems.push({ key: `${file}#${i + 2}`, reason: `${where}: no img_path or image_path` })
      return
    }
    rows.push({ where, file, key, caption: captionOf(rec.text_zh), tags: [], bases })
  })
  return { rows, problems, columns, mtimeMs }
}
