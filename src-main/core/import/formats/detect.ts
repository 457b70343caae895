/**
 * Format detection. Looks at the folder and its immediate subfolders only (never a full walk):
 *  - hunyuan: a CSV with img_path/image_path and text_zh (README layout: csvfile/*.csv);
 *  - hf: metadata.jsonl / metadata.csv with file_name (at the root or in a split folder);
 *  - sdscripts: dataset_config.toml naming metadata_file(s), or *.json / *.jsonl that read as
 *    fine-tune metadata (objects with caption/tags; JSONL lines with image_path);
 *  - kohya: `<repeats>_<name>` folders at the root, or under img/ and reg/;
 *  - folder: always possible (sidecars beside images).
 * The first candidate in that order is the detected format.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import type { ResolvedImportFormat } from '../../../shared/api'
import { parseKohyaFolder } from '../kohya'
import { isImageName } from '../scan'
import { decodeText } from '../text'
import { csvHeader } from './metadata'

export interface Detection {
  candidates: { format: ResolvedImportFormat; reason: string }[]
  /** metadata files per metadata format */
  files: Partial<Record<ResolvedImportFormat, string[]>>
  /** sd-scripts: image_dir per metadata file (from dataset_config.toml) */
  imageDirs: Record<string, string>
}

const HEAD_BYTES = 64 * 1024

async function head(file: string, bytes = HEAD_BYTES): Promise<string> {
  const fh = await fs.promises.open(file, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const { bytesRead } = await fh.read(buf, 0, bytes, 0)
    return decodeText(buf.subarray(0, bytesRead)).text
  } finally {
    await fh.close()
  }
}

async function listDir(dir: string): Promise<fs.Dirent[]> {
  try {
    return (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name)
    )
  } catch {
    return []
  }
}

const METADATA_FILE = /\.(csv|json|jsonl)$|^dataset_config\.toml$/i

/**
 * The regular files of `dir` that could be format metadata (.csv, .json, .jsonl,
 * dataset_config.toml), in name order, read as a stream; with `images`, whether it holds an image.
 */
async function metadataCandidates(
  dir: string,
  images: boolean
): Promise<{ files: string[]; rootImage: boolean }> {
  const files: string[] = []
  let rootImage = false
  try {
    for await (const e of await fs.promises.opendir(dir, { bufferSize: 256 })) {
      if (!e.isFile()) continue
      if (METADATA_FILE.test(e.name)) files.push(e.name)
      else if (images && !rootImage && isImageName(e.name)) rootImage = true
    }
  } catch {
    // an unreadable folder has no metadata
  }
  return { files: files.sort((a, b) => a.localeCompare(b)), rootImage }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** true when a .json file reads as sd-scripts fine-tune metadata */
async function looksFineTuneJson(file: string): Promise<boolean> {
  try {
    const st = await fs.promises.stat(file)
    if (st.size > 512 * 1024 * 1024) return false
    const doc = JSON.parse(decodeText(await fs.promises.readFile(file)).text) as unknown
    if (!isObj(doc)) return false
    const first = Object.values(doc)[0]
    return isObj(first) && ('caption' in first || 'tags' in first)
  } catch {
    return false
  }
}

async function firstJsonLine(file: string): Promise<Record<string, unknown> | null> {
  try {
    const line = (await head(file)).split('\n').find((l) => l.trim() !== '')
    const obj = line ? (JSON.parse(line) as unknown) : null
    return isObj(obj) ? obj : null
  } catch {
    return null
  }
}

/** metadata files named by a dataset_config.toml, with their image_dir */
async function tomlMetadata(file: string): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {}
  try {
    const doc = parseToml(decodeText(await fs.promises.readFile(file)).text) as Record<
      string,
      unknown
    >
    const datasets = Array.isArray(doc.datasets) ? doc.datasets : []
    for (const d of datasets) {
      if (!isObj(d) || !Array.isArray(d.subsets)) continue
      for (const s of d.subsets) {
        if (!isObj(s) || typeof s.metadata_file !== 'string') continue
        const meta = path.resolve(path.dirname(file), s.metadata_file)
        out[meta] =
          typeof s.image_dir === 'string' ? path.resolve(path.dirname(file), s.image_dir) : null
      }
    }
  } catch {
    // not a readable TOML: no metadata from it
  }
  return out
}

export async function detectFormat(root: string): Promise<Detection> {
  const det: Detection = { candidates: [], files: {}, imageDirs: {} }
  const add = (format: ResolvedImportFormat, reason: string, files?: string[]) => {
    det.candidates.push({ format, reason })
    if (files) det.files[format] = files
  }
  const top = await listDir(root)
  const dirs = [root, ...top.filter((d) => d.isDirectory()).map((d) => path.join(root, d.name))]
  // Only the files a format could be told by are kept (a folder of a million images would
  // otherwise be a million paths in memory), and whether the root itself holds images.
  const all: string[] = []
  let rootHasImage = false
  for (const d of dirs) {
    const names = await metadataCandidates(d, d === root)
    if (names.rootImage) rootHasImage = true
    for (const n of names.files) all.push(path.join(d, n))
  }

  const hunyuan: string[] = []
  const hf: string[] = []
  for (const f of all.filter((f) => f.toLowerCase().endsWith('.csv'))) {
    const cols = csvHeader(await head(f).catch(() => ''))
    const base = path.basename(f).toLowerCase()
    if (base === 'metadata.csv' && cols.includes('file_name')) hf.push(f)
    else if (cols.includes('text_zh') && (cols.includes('img_path') || cols.includes('image_path')))
      hunyuan.push(f)
  }
  for (const f of all.filter((f) => path.basename(f).toLowerCase() === 'metadata.jsonl')) {
    const obj = await firstJsonLine(f)
    if (obj && typeof obj.file_name === 'string') hf.push(f)
  }
  if (hunyuan.length)
    add('hunyuan', `${path.relative(root, hunyuan[0]!)} has img_path and text_zh`, hunyuan)
  if (hf.length) add('hf', `${path.relative(root, hf[0]!)} has file_name`, hf.sort())

  const sd: string[] = []
  const toml = all.find((f) => path.basename(f) === 'dataset_config.toml')
  if (toml) {
    for (const [meta, imageDir] of Object.entries(await tomlMetadata(toml))) {
      if (!fs.existsSync(meta)) continue
      sd.push(meta)
      if (imageDir) det.imageDirs[meta] = imageDir
    }
  }
  if (sd.length === 0) {
    for (const f of all) {
      const lower = f.toLowerCase()
      if (lower.endsWith('.json') && (await looksFineTuneJson(f))) sd.push(f)
      else if (lower.endsWith('.jsonl') && path.basename(lower) !== 'metadata.jsonl') {
        const obj = await firstJsonLine(f)
        if (obj && typeof obj.image_path === 'string') sd.push(f)
      }
    }
  }
  if (sd.length)
    add('sdscripts', `${path.relative(root, sd[0]!)} is sd-scripts fine-tune metadata`, sd.sort())

  const kohyaDirs: string[] = []
  for (const d of top.filter((e) => e.isDirectory())) {
    if (parseKohyaFolder(d.name)) kohyaDirs.push(d.name)
    else if (['img', 'reg', 'train', 'images'].includes(d.name.toLowerCase())) {
      for (const e of await listDir(path.join(root, d.name)))
        if (e.isDirectory() && parseKohyaFolder(e.name)) kohyaDirs.push(`${d.name}/${e.name}`)
    }
  }
  // kohya leads only for a strict layout: img/ + reg/, or nothing at the top but N_name folders
  // (images at the root or other folders would be invisible to sd-scripts); otherwise the plain
  // folder import (which reads N_name folders' repeats too) comes first.
  const topDirs = top.filter((e) => e.isDirectory())
  const strict =
    kohyaDirs.some((d) => d.includes('/')) ||
    (topDirs.length > 0 && topDirs.every((d) => parseKohyaFolder(d.name)) && !rootHasImage)
  const kohyaReason = `<repeats>_<name> folders: ${kohyaDirs.slice(0, 3).join(', ')}`
  if (kohyaDirs.length && strict) add('kohya', kohyaReason)
  add('folder', 'images with .txt / .caption sidecars')
  if (kohyaDirs.length && !strict) add('kohya', kohyaReason)
  return det
}
