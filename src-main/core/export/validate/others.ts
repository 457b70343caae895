/** Read-back checks for the fine-tune, Hugging Face, HunyuanDiT and OneTrainer exports. */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import type { ValidationReport } from '../types'
import { decodeUtf8, isDir, isTable, Issues, ReadBack, readToml } from './common'
import { ACCEPTED_KEYS, TOP_LEVEL } from './keys'
import { KOHYA_IMAGE_EXTENSIONS } from './kohya'

type Report = ValidationReport

function done(format: Report['format'], issues: Issues, subsets: Report['subsets']): Report {
  return {
    format,
    ok: issues.ok,
    issues: issues.list,
    subsets,
    images: subsets.reduce((n, s) => n + s.images, 0)
  }
}

export async function validateFineTune(
  root: string,
  rb: ReadBack = new ReadBack()
): Promise<Report> {
  const issues = new Issues()
  const out: Report['subsets'] = []
  const toml = await readToml(path.join(root, 'dataset_config.toml'), issues)
  if (!toml) return done('sdscripts', issues, out)
  for (const k of Object.keys(toml))
    if (!TOP_LEVEL.has(k)) issues.error(`top level: key "${k}" is not accepted`)
  const general = isTable(toml.general) ? toml.general : {}
  for (const k of Object.keys(general))
    if (!ACCEPTED_KEYS.ft.general.has(k))
      issues.error(`[general]: key "${k}" is not accepted in fine-tune style`)
  const datasets = Array.isArray(toml.datasets) ? toml.datasets.filter(isTable) : []
  if (datasets.length === 0) issues.error('no [[datasets]] in dataset_config.toml')
  for (const ds of datasets) {
    for (const k of Object.keys(ds))
      if (!ACCEPTED_KEYS.ft.dataset.has(k)) issues.error(`[[datasets]]: key "${k}" is not accepted`)
    for (const sub of Array.isArray(ds.subsets) ? ds.subsets.filter(isTable) : []) {
      for (const k of Object.keys(sub))
        if (!ACCEPTED_KEYS.ft.subset.has(k))
          issues.error(`[[datasets.subsets]]: key "${k}" is not accepted in fine-tune style`)
      const meta = sub.metadata_file
      if (typeof meta !== 'string' || !path.isAbsolute(meta)) {
        issues.error('a subset has no absolute metadata_file')
        continue
      }
      let json: unknown
      try {
        json = JSON.parse(await fs.promises.readFile(meta, 'utf8'))
      } catch {
        issues.error('metadata file is missing or not JSON', meta)
        continue
      }
      if (!isTable(json)) {
        issues.error('metadata file is not a JSON object', meta)
        continue
      }
      let n = 0
      let captions = 0
      for (const [key, v] of Object.entries(json)) {
        n++
        // The only key form that works before and after sd-scripts c6bc632e: absolute with extension.
        if (!path.isAbsolute(key) || !KOHYA_IMAGE_EXTENSIONS.some((e) => key.endsWith(e)))
          issues.error('key is not an absolute image path with its extension', key)
        else if (!(await rb.isFile(key)))
          issues.error('image listed in the metadata is missing', key)
        if (!isTable(v)) {
          issues.error('entry is not an object', key)
          continue
        }
        if (v.caption !== undefined && typeof v.caption !== 'string')
          issues.error('caption is not a string', key)
        if (v.tags !== undefined && typeof v.tags !== 'string')
          issues.error('tags is not a string', key)
        const size = v.image_size
        if (
          !Array.isArray(size) ||
          size.length !== 2 ||
          !size.every((x) => Number.isInteger(x) && (x as number) > 0)
        )
          issues.warn('image_size [w, h] is missing', key)
        if (
          `${typeof v.caption === 'string' ? v.caption : ''}${typeof v.tags === 'string' ? v.tags : ''}`.trim() ===
          ''
        )
          issues.warn('empty caption and tags', key)
        else captions++
      }
      out.push({
        name: path.basename(meta),
        imageDir: typeof sub.image_dir === 'string' ? sub.image_dir : '',
        repeats: typeof sub.num_repeats === 'number' ? sub.num_repeats : 1,
        classTokens: '',
        images: n,
        captions,
        isReg: false
      })
    }
  }
  return done('sdscripts', issues, out)
}

export async function validateHf(root: string, rb: ReadBack = new ReadBack()): Promise<Report> {
  const issues = new Issues()
  const dir = path.join(root, 'train')
  const file = path.join(dir, 'metadata.jsonl')
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch {
    issues.error('train/metadata.jsonl is missing', file)
    return done('hf', issues, [])
  }
  let n = 0
  let captions = 0
  const listed = new Set<string>()
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    let row: unknown
    try {
      row = JSON.parse(line)
    } catch {
      issues.error(`line ${i + 1} is not JSON`, file)
      continue
    }
    if (!isTable(row) || typeof row.file_name !== 'string') {
      issues.error(`line ${i + 1} has no file_name`, file)
      continue
    }
    const rel = row.file_name
    if (path.isAbsolute(rel) || rel.split('/').includes('..'))
      issues.error(`line ${i + 1}: file_name must be relative to the metadata folder`, rel)
    else if (!(await rb.isFile(path.join(dir, ...rel.split('/')))))
      issues.error(`line ${i + 1}: file_name points to a missing file`, rel)
    listed.add(rel)
    n++
    if (typeof row.text === 'string' && row.text.trim() !== '') captions++
    else issues.warn(`line ${i + 1}: empty text`, rel)
  }
  return done('hf', issues, [
    { name: 'train', imageDir: dir, repeats: 1, classTokens: '', images: n, captions, isReg: false }
  ])
}

export async function validateHunyuan(
  root: string,
  rb: ReadBack = new ReadBack()
): Promise<Report> {
  const issues = new Issues()
  const file = path.join(root, 'csvfile', 'image_text.csv')
  let buf: Buffer
  try {
    buf = await fs.promises.readFile(file)
  } catch {
    issues.error('csvfile/image_text.csv is missing', file)
    return done('hunyuan', issues, [])
  }
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    issues.error(
      'the CSV starts with a BOM; the first column would be named "\\ufeffimg_path"',
      file
    )
  const text = decodeUtf8(buf)
  if (text === null) {
    issues.error('the CSV is not valid UTF-8', file)
    return done('hunyuan', issues, [])
  }
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >
  const header = Object.keys(rows[0] ?? {})
  for (const col of ['img_path', 'text_zh'])
    if (!header.includes(col))
      issues.error(`the CSV has no ${col} column (csv2arrow reads img_path and text_zh)`, file)
  let captions = 0
  for (const [i, r] of rows.entries()) {
    const p = r.img_path ?? ''
    if (!path.isAbsolute(p) || !(await rb.isFile(p)))
      issues.error(`row ${i + 2}: img_path is not an existing absolute path`, p)
    if ((r.text_zh ?? '').trim() === '')
      issues.warn(`row ${i + 2}: empty text_zh (HunyuanDiT substitutes a generic prompt)`, p)
    else captions++
  }
  return done('hunyuan', issues, [
    {
      name: 'csv',
      imageDir: path.join(root, 'images'),
      repeats: 1,
      classTokens: '',
      images: rows.length,
      captions,
      isReg: false
    }
  ])
}

const OT_EXT = new Set(['.bmp', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp', '.avif'])

export async function validateOneTrainer(
  root: string,
  rb: ReadBack = new ReadBack()
): Promise<Report> {
  const issues = new Issues()
  const file = path.join(root, 'training_concepts', 'concepts.json')
  let concepts: unknown
  try {
    concepts = JSON.parse(await fs.promises.readFile(file, 'utf8'))
  } catch {
    issues.error('training_concepts/concepts.json is missing or not JSON', file)
    return done('onetrainer', issues, [])
  }
  if (!Array.isArray(concepts)) {
    issues.error('concepts.json must be a JSON array', file)
    return done('onetrainer', issues, [])
  }
  const out: Report['subsets'] = []
  for (const c of concepts) {
    if (!isTable(c) || typeof c.path !== 'string') {
      issues.error('a concept has no path', file)
      continue
    }
    if (!(await isDir(c.path))) {
      issues.error('concept folder is missing', c.path)
      continue
    }
    const names = ((await rb.list(c.path)) ?? []).map((e) => e.name)
    const imgs = names.filter(
      (n) => OT_EXT.has(path.extname(n).toLowerCase()) && !/-(masklabel|condlabel)\.[^.]+$/.test(n)
    )
    let captions = 0
    for (const img of imgs) {
      const cap = path.join(c.path, path.basename(img, path.extname(img)) + '.txt')
      const t = (await rb.isFile(cap)) ? decodeUtf8(await rb.read(cap)) : ''
      if (t === null) issues.error('caption is not valid UTF-8', cap)
      else if (t.split('\n').every((l) => l.trim() === ''))
        issues.warn('no caption; OneTrainer uses ""', path.join(c.path, img))
      else captions++
    }
    out.push({
      name: typeof c.name === 'string' ? c.name : path.basename(c.path),
      imageDir: c.path,
      repeats: typeof c.balancing === 'number' ? c.balancing : 1,
      classTokens: '',
      images: imgs.length,
      captions,
      isReg: false
    })
  }
  return done('onetrainer', issues, out)
}
