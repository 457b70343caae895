/**
 * loadCaptionSource: the caption source of an import job, built from the job's format params and
 * the image paths the walk found. Metadata rows are matched to images: an absolute key as is
 * (then through realpath), a relative key against the row's base folders, a key without an
 * extension (sd-scripts stems) by its stem — ambiguous when several images share it. Rows that
 * match no image, or an image already matched, are per-row problems.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ImportFormatOptions, ResolvedImportFormat } from '../../../shared/api'
import { GlossaError } from '../../../shared/errors'
import { IMAGE_EXTENSIONS } from '../scan'
import { detectFormat } from './detect'
import { readHf, readHunyuan, readSdScripts, type ReadResult } from './metadata'
import type { CaptionEntry, CaptionSource, MetaRow, RowProblem } from './types'

export type { CaptionSource, CaptionEntry, RowProblem } from './types'
export { detectFormat } from './detect'

const stemOf = (p: string): string => {
  const b = path.basename(p)
  return b.slice(0, b.length - path.extname(b).length)
}

function hasImageExt(key: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(key).toLowerCase())
}

/** Candidate absolute paths for a row key, most likely first. */
export function candidatesFor(row: MetaRow): string[] {
  if (path.isAbsolute(row.key)) return [path.normalize(row.key)]
  const rel = row.key.split(/[\\/]/).join(path.sep)
  return [...new Set(row.bases.map((b) => path.resolve(b, rel)))]
}

export function matchRows(
  rows: MetaRow[],
  images: Iterable<string>,
  mtimes: ReadonlyMap<string, number>
): { map: Map<string, CaptionEntry>; problems: RowProblem[] } {
  const set = new Set(images)
  let byStem: Map<string, string[]> | null = null
  const stemIndex = () => {
    if (byStem) return byStem
    byStem = new Map()
    for (const p of set) {
      const s = stemOf(p)
      const l = byStem.get(s)
      if (l) l.push(p)
      else byStem.set(s, [p])
    }
    return byStem
  }
  const map = new Map<string, CaptionEntry>()
  const problems: RowProblem[] = []
  for (const row of rows) {
    const key = `${row.file}#${row.where}`
    let hit = candidatesFor(row).find((c) => set.has(c))
    if (!hit && path.isAbsolute(row.key)) {
      try {
        const real = fs.realpathSync.native(row.key)
        if (set.has(real)) hit = real
      } catch {
        // no such file: reported below
      }
    }
    if (!hit && !hasImageExt(row.key)) {
      const found = stemIndex().get(path.basename(row.key)) ?? []
      if (found.length > 1) {
        problems.push({
          key,
          reason: `${row.where}: the key "${row.key}" has no extension and ${found.length} images share that name; not imported`
        })
        continue
      }
      hit = found[0]
    }
    if (!hit) {
      problems.push({
        key,
        reason: `${row.where}: caption without image — "${row.key}" matches no image in the folder`
      })
      continue
    }
    const prev = map.get(hit)
    if (prev) {
      problems.push({
        key,
        reason: `${row.where}: duplicate key — "${row.key}" is the same image as ${prev.where}; the first row is used`
      })
      continue
    }
    map.set(hit, {
      file: row.file,
      mtimeMs: mtimes.get(row.file) ?? 0,
      where: row.where,
      text: row.caption ?? '',
      tags: row.tags
    })
  }
  return { map, problems }
}

/** The metadata files of a format under `root` (the given ones, else the detected ones). */
export async function metadataFiles(
  root: string,
  format: ResolvedImportFormat,
  options: ImportFormatOptions
): Promise<{ files: string[]; imageDirs: Record<string, string> }> {
  if (options.metadataFiles?.length)
    return { files: options.metadataFiles.map((f) => path.resolve(root, f)), imageDirs: {} }
  const det = await detectFormat(root)
  const files = det.files[format] ?? []
  if (files.length === 0)
    throw new GlossaError(
      'INVALID_ARGS',
      `${root}: no ${format} metadata file found (${format === 'hf' ? 'metadata.jsonl or metadata.csv with file_name' : format === 'hunyuan' ? 'a CSV with img_path and text_zh' : 'fine-tune metadata .json/.jsonl'})`,
      { path: root }
    )
  return { files, imageDirs: det.imageDirs }
}

export async function readMetadata(
  root: string,
  format: ResolvedImportFormat,
  options: ImportFormatOptions
): Promise<{ files: string[]; results: ReadResult[] }> {
  const { files, imageDirs } = await metadataFiles(root, format, options)
  const results: ReadResult[] = []
  for (const f of files) {
    if (format === 'hf') results.push(await readHf(f, options))
    else if (format === 'hunyuan') results.push(await readHunyuan(f, root))
    else results.push(await readSdScripts(f, [...(imageDirs[f] ? [imageDirs[f]] : []), root]))
  }
  return { files, results }
}

export function regCheck(root: string, options: ImportFormatOptions): (file: string) => boolean {
  const regs = (options.regFolders ?? ['reg']).map((r) =>
    path.resolve(root, r.split('/').join(path.sep))
  )
  return (file) => regs.some((r) => file.startsWith(r + path.sep))
}

/** Caption files under `root` with no image of the same stem beside them (kohya layout). */
async function orphanCaptions(root: string, images: readonly string[]): Promise<RowProblem[]> {
  const stems = new Set(images.map((p) => path.join(path.dirname(p), stemOf(p)).toLowerCase()))
  let names: string[]
  try {
    names = (await fs.promises.readdir(root, { recursive: true })) as string[]
  } catch {
    return []
  }
  const out: RowProblem[] = []
  for (const rel of names.sort()) {
    const ext = path.extname(rel).toLowerCase()
    if (ext !== '.txt' && ext !== '.caption') continue
    // a README.txt (Glossa exports write one) is documentation, not a caption
    if (path.basename(rel).toLowerCase() === 'readme.txt') continue
    const abs = path.join(root, rel)
    const stem = path.join(path.dirname(abs), stemOf(abs)).toLowerCase()
    if (stems.has(stem)) continue
    if (
      !(await fs.promises.stat(abs).then(
        (s) => s.isFile(),
        () => false
      ))
    )
      continue
    out.push({
      key: abs,
      reason: `caption without image: ${rel} has no image of the same name beside it`
    })
  }
  return out
}

/** Builds the caption source. `images` are the walked image paths (absolute, realpath'd root). */
export async function loadCaptionSource(
  root: string,
  format: ResolvedImportFormat,
  options: ImportFormatOptions,
  images: readonly string[]
): Promise<CaptionSource> {
  const source = await loadSource(root, format, options, images)
  source.captionKind = options.captionKind ?? 'auto'
  return source
}

async function loadSource(
  root: string,
  format: ResolvedImportFormat,
  options: ImportFormatOptions,
  images: readonly string[]
): Promise<CaptionSource> {
  if (format === 'folder') return { format, isReg: () => false, problems: [] }
  if (format === 'kohya') {
    return {
      format,
      isReg: regCheck(root, options),
      problems: await orphanCaptions(root, images)
    }
  }
  const { files, results } = await readMetadata(root, format, options)
  const mtimes = new Map(files.map((f, i) => [f, results[i]!.mtimeMs]))
  const rows = results.flatMap((r) => r.rows)
  const { map, problems } = matchRows(rows, images, mtimes)
  const names = files.map((f) => path.relative(root, f) || f).join(', ')
  return {
    format,
    metadata: map,
    missing: (file) => `image without caption: ${path.relative(root, file)} has no row in ${names}`,
    isReg: () => false,
    problems: [...results.flatMap((r) => r.problems), ...problems]
  }
}
