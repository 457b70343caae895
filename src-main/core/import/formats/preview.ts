/**
 * import.detect: the detected format and a preview of the first rows, for the import wizard.
 * Reads only what the preview needs: the metadata files (whole, to list their first rows) or the
 * first images of the walk with their sidecars. Nothing is written.
 */
import fs from 'node:fs'
import path from 'node:path'
import type {
  ImportDetectResult,
  ImportFormat,
  ImportFormatOptions,
  ImportPreviewRow,
  ResolvedImportFormat
} from '../../../shared/api'
import { findSidecars, ListingCache } from '../item'
import { readRegularFile } from '../probe'
import { IMAGE_EXTENSIONS, scanFolder } from '../scan'
import { placeUnder } from '../store'
import { decodeText } from '../text'
import { splitCaption } from '../caption-kind'
import { detectFormat } from './detect'
import { candidatesFor, readMetadata, regCheck } from './index'
import { importTotals } from './totals'

function exists(p: string): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

export async function previewImport(
  root: string,
  requested: ImportFormat,
  options: ImportFormatOptions,
  limit: number,
  totals = false
): Promise<ImportDetectResult> {
  const det = await detectFormat(root)
  const format = requested === 'auto' ? det.candidates[0]!.format : requested
  const counted = totals ? importTotals(root, format, options) : undefined
  const result = await previewRows(root, format, det.candidates, options, limit)
  // how the import will read each previewed caption: tags, text, or a sentence plus tags
  for (const row of result.rows) {
    if (row.caption === null) continue
    const split = splitCaption(row.caption, options.captionKind ?? 'auto')
    row.captionKind = split.kind
    if (split.kind === 'tags' || split.kind === 'mixed') {
      row.captionText = split.text
      row.captionTags = split.tags
      result.captionKinds[split.kind]++
    } else if (split.kind === 'text') result.captionKinds.text++
  }
  if (counted) result.totals = await counted
  return result
}

async function previewRows(
  root: string,
  format: ResolvedImportFormat,
  candidates: ImportDetectResult['candidates'],
  options: ImportFormatOptions,
  limit: number
): Promise<ImportDetectResult> {
  const out: ImportDetectResult = {
    dir: root,
    format,
    candidates,
    metadataFiles: [],
    columns: [],
    rows: [],
    warnings: [],
    captionKinds: { tags: 0, text: 0, mixed: 0 }
  }
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/')

  if (format === 'folder' || format === 'kohya') {
    const isReg = regCheck(root, options)
    const listings = new ListingCache()
    for await (const e of scanFolder(root)) {
      if (out.rows.length >= limit) break
      if (e.error) {
        out.warnings.push(`${e.path}: ${e.error}`)
        continue
      }
      const side = (await findSidecars(e.path, listings))[0]
      let caption: string | null = null
      if (side) {
        try {
          caption = decodeText((await readRegularFile(side)).buf).text
        } catch (err) {
          out.warnings.push(`${side}: ${(err as Error).message}`)
        }
      }
      const place = placeUnder(root, e.path)
      const row: ImportPreviewRow = {
        key: place.relPath,
        image: place.relPath,
        caption,
        tags: [],
        concept: place.concept,
        repeats: place.repeats
      }
      if (format === 'kohya') row.isReg = isReg(e.path)
      out.rows.push(row)
    }
    return out
  }

  try {
    const { files, results } = await readMetadata(root, format, options)
    out.metadataFiles = files
    out.columns = [...new Set(results.flatMap((r) => r.columns))]
    for (const r of results) for (const p of r.problems.slice(0, limit)) out.warnings.push(p.reason)
    for (const row of results.flatMap((r) => r.rows).slice(0, limit)) {
      let hit = candidatesFor(row).find(exists)
      if (!hit && !IMAGE_EXTENSIONS.has(path.extname(row.key).toLowerCase())) {
        for (const c of candidatesFor(row)) {
          hit = [...IMAGE_EXTENSIONS].map((x) => c + x).find(exists)
          if (hit) break
        }
      }
      out.rows.push({
        key: row.key,
        image: hit ? rel(hit) : null,
        caption: row.caption,
        tags: row.tags
      })
    }
  } catch (err) {
    out.warnings.push(err instanceof Error ? err.message : String(err))
  }
  return out
}
