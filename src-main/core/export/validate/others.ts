/**
 * Read-back of the fine-tune, Hugging Face, HunyuanDiT and OneTrainer exports, each the way its
 * trainer reads it, with the fidelity check per image. Relative paths resolve against the
 * working directory the trainer runs in — the export folder (README.txt) — except HF's
 * file_name, which is relative to the metadata file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import type { ValidationReport } from '../types'
import {
  decodeUtf8,
  isDir,
  isTable,
  type FormatReadBack,
  type Issues,
  type ReadBack,
  readToml
} from './common'
import type { Fidelity } from './fidelity'
import { ACCEPTED_KEYS, TOP_LEVEL } from './keys'
import {
  checkKeys,
  fromConfig,
  KOHYA_IMAGE_EXTENSIONS,
  sdCaptionConfig,
  splitext,
  warnRandomText
} from './kohya'
import { pyReadLines, pyStrip } from './python'
import { oneTrainerTrained, sdTrained, type Form, type SdCaptionConfig } from './trained'

type Subsets = ValidationReport['subsets']

/** TU glob_images(directory, base): `base + ext` for every extension, sorted, first wins. */
async function globImage(rb: ReadBack, dir: string, base: string): Promise<string | null> {
  const hits: string[] = []
  for (const ext of KOHYA_IMAGE_EXTENSIONS) {
    const p = path.join(dir, base + ext)
    if (await rb.isFile(p)) hits.push(p)
  }
  return hits.sort()[0] ?? null
}

interface FtEntry {
  caption: unknown
  tags: unknown
  imageSize: unknown
}

/**
 * FineTuningDataset's caption, in the loader before c6bc632e (`old`) and after it (`new`); an
 * export must read the same in both.
 */
function ftCaption(e: FtEntry, cfg: SdCaptionConfig, version: 'old' | 'new'): string {
  const sep = cfg.captionSeparator
  let caption = typeof e.caption === 'string' ? e.caption : null
  let tags = typeof e.tags === 'string' ? e.tags : null
  if (version === 'old' && caption === null) {
    caption = tags
    tags = null
  }
  if (version === 'new' && caption === null) caption = ''
  if (cfg.enableWildcard) {
    if (tags !== null) tags = tags.replaceAll('\n', sep)
    if (caption !== null && tags !== null) {
      const t = tags
      caption = caption
        .split('\n')
        .filter((l) => pyStrip(l) !== '')
        .map((l) => `${l}${sep}${t}`)
        .join('\n')
    }
  } else if (tags !== null && tags.length > 0) {
    if (version === 'old') caption = (caption ?? '') + sep + tags
    else caption = (caption !== '' ? (caption ?? '') + sep : (caption ?? '')) + tags
  }
  return caption ?? ''
}

async function readFtMetadata(file: string, issues: Issues): Promise<Map<string, FtEntry> | null> {
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch {
    issues.error(
      'no metadata: the metadata file does not exist (sd-scripts raises ValueError)',
      file
    )
    return null
  }
  const out = new Map<string, FtEntry>()
  try {
    if (file.endsWith('.jsonl')) {
      // the JSONL form (new loader): {"image_path", "caption", "tags", "image_size"} per line
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue
        const r = JSON.parse(line) as Record<string, unknown>
        out.set(String(r.image_path), {
          caption: r.caption ?? '',
          tags: r.tags,
          imageSize: r.image_size
        })
      }
      return out
    }
    const json: unknown = JSON.parse(text)
    if (!isTable(json)) {
      issues.error('metadata file is not a JSON object', file)
      return null
    }
    for (const [k, v] of Object.entries(json)) {
      if (!isTable(v)) {
        issues.error('entry is not an object', k)
        continue
      }
      out.set(k, { caption: v.caption, tags: v.tags, imageSize: v.image_size })
    }
    return out
  } catch (err) {
    issues.error(`metadata file is not JSON: ${(err as Error).message}`, file)
    return null
  }
}

export async function validateFineTune(
  root: string,
  rb: ReadBack,
  issues: Issues,
  fidelity: Fidelity
): Promise<FormatReadBack> {
  const out: Subsets = []
  let relative = false
  const toml = await readToml(path.join(root, 'dataset_config.toml'), issues)
  if (!toml) return { subsets: out, relative }
  for (const k of Object.keys(toml))
    if (!TOP_LEVEL.has(k)) issues.error(`top level: key "${k}" is not accepted`)
  const general = isTable(toml.general) ? toml.general : {}
  checkKeys(general, ACCEPTED_KEYS.ft.general, '[general]', issues)
  const datasets = Array.isArray(toml.datasets) ? toml.datasets.filter(isTable) : []
  if (datasets.length === 0) issues.error('no [[datasets]] in dataset_config.toml')
  const seenMeta = new Set<string>()
  for (const [di, ds] of datasets.entries()) {
    checkKeys(ds, ACCEPTED_KEYS.ft.dataset, `[[datasets]] #${di + 1}`, issues)
    for (const [si, sub] of (Array.isArray(ds.subsets)
      ? ds.subsets.filter(isTable)
      : []
    ).entries()) {
      const where = `[[datasets.subsets]] #${si + 1}`
      checkKeys(sub, ACCEPTED_KEYS.ft.subset, where, issues)
      const pick = (k: string): unknown => sub[k] ?? ds[k] ?? general[k]
      const cfg = sdCaptionConfig(pick)
      warnRandomText(pick, where, issues)
      if (typeof sub.metadata_file !== 'string' || sub.metadata_file === '') {
        issues.error(`${where}: metadata_file is required in fine-tune style`)
        continue
      }
      // FineTuningSubset.__eq__ compares metadata_file: a repeated one is ignored
      if (seenMeta.has(sub.metadata_file)) continue
      seenMeta.add(sub.metadata_file)
      const imageDirRaw = typeof sub.image_dir === 'string' ? sub.image_dir : null
      if (!path.isAbsolute(sub.metadata_file) || (imageDirRaw && !path.isAbsolute(imageDirRaw)))
        relative = true
      const metaFile = fromConfig(root, sub.metadata_file)
      const imageDir = imageDirRaw === null ? null : fromConfig(root, imageDirRaw)
      const meta = await readFtMetadata(metaFile, issues)
      if (!meta) continue
      const repeats = typeof pick('num_repeats') === 'number' ? (pick('num_repeats') as number) : 1
      let n = 0
      let captions = 0
      for (const [key, e] of meta) {
        if (!path.isAbsolute(key)) relative = true
        // before c6bc632e: os.path.exists(key) (working directory), else glob image_dir/key+ext
        const asIs = fromConfig(root, key)
        const oldPath = (await rb.isFile(asIs))
          ? asIs
          : imageDir
            ? await globImage(rb, imageDir, key)
            : null
        // from c6bc632e: a relative key joined to image_dir; no extension or missing: glob
        let newPath: string | null = null
        if (!path.isAbsolute(key) && imageDir === null) {
          issues.error(
            'image_dir is required when image paths are relative (sd-scripts asserts)',
            key
          )
        } else {
          const joined = path.isAbsolute(key) ? key : path.join(imageDir as string, key)
          newPath =
            path.extname(key) !== '' && (await rb.isFile(joined))
              ? joined
              : await globImage(rb, path.dirname(joined), path.basename(key))
        }
        if (oldPath === null && newPath === null) {
          issues.error('no image: sd-scripts finds no image for this key', key)
          continue
        }
        if (
          oldPath === null ||
          newPath === null ||
          path.resolve(oldPath) !== path.resolve(newPath)
        ) {
          issues.error(
            `sd-scripts resolves this key differently before and after c6bc632e (${oldPath ?? 'no image'} / ${newPath ?? 'no image'})`,
            key
          )
          continue
        }
        n++
        if (e.caption !== undefined && e.caption !== null && typeof e.caption !== 'string')
          issues.error('caption is not a string', key)
        if (e.tags !== undefined && e.tags !== null && typeof e.tags !== 'string')
          issues.error('tags is not a string', key)
        const size = e.imageSize
        if (
          !Array.isArray(size) ||
          size.length !== 2 ||
          !size.every((x) => Number.isInteger(x) && (x as number) > 0)
        )
          issues.warn('image_size [w, h] is missing', key)
        const before = ftCaption(e, cfg, 'old')
        const after = ftCaption(e, cfg, 'new')
        if (before !== after)
          issues.error(
            `sd-scripts builds a different caption before and after c6bc632e (${JSON.stringify(before)} / ${JSON.stringify(after)})`,
            key
          )
        if (after.trim() !== '') captions++
        fidelity.check(path.resolve(newPath), sdTrained(after, cfg), cfg.captionSeparator)
      }
      out.push({
        name: path.basename(metaFile),
        imageDir: imageDir ?? '',
        repeats,
        classTokens: '',
        images: n,
        captions,
        isReg: false
      })
    }
  }
  return { subsets: out, relative }
}

/** Texts diffusers trains on from a `text` cell: a string, or one of a list. */
function hfForms(v: unknown): Form[] | null {
  if (typeof v === 'string') return [{ kind: 'text', text: v }]
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
    return (v as string[]).map((text) => ({ kind: 'text', text }))
  return null
}

export async function validateHf(
  root: string,
  rb: ReadBack,
  issues: Issues,
  fidelity: Fidelity
): Promise<FormatReadBack> {
  const dir = path.join(root, 'train')
  const file = path.join(dir, 'metadata.jsonl')
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch {
    issues.error('train/metadata.jsonl is missing', file)
    return { subsets: [], relative: true }
  }
  let n = 0
  let captions = 0
  let columns: string | null = null
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
    // the features come from the first rows: a key missing elsewhere reads back as null
    const keys = Object.keys(row).sort().join(',')
    if (columns === null) columns = keys
    else if (keys !== columns)
      issues.error(
        `line ${i + 1} has the columns ${keys}, the first row ${columns} (missing values read back as null)`,
        file
      )
    const rel = row.file_name
    // folder_based_builder: os.path.join(metadata dir, normpath(file_name))
    const abs = path.join(dir, path.normalize(rel))
    if (path.isAbsolute(rel) || path.normalize(rel).split(path.sep).includes('..'))
      issues.error(`line ${i + 1}: file_name must be relative to the metadata folder`, rel)
    else if (!(await rb.isFile(abs))) {
      issues.error(`line ${i + 1}: file_name points to a missing file`, rel)
      continue
    }
    n++
    const forms = hfForms(row.text)
    if (!forms) {
      issues.error(`line ${i + 1}: "text" is not a string`, rel)
      continue
    }
    if (forms.some((f) => f.kind === 'text' && f.text.trim() !== '')) captions++
    fidelity.check(abs, forms, ',')
  }
  return {
    subsets: [
      {
        name: 'train',
        imageDir: dir,
        repeats: 1,
        classTokens: '',
        images: n,
        captions,
        isReg: false
      }
    ],
    relative: false
  }
}

/** pandas.read_csv's default na_values: such a cell reads back as NaN, not as the text. */
const PANDAS_NA = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null'
])

export async function validateHunyuan(
  root: string,
  rb: ReadBack,
  issues: Issues,
  fidelity: Fidelity
): Promise<FormatReadBack> {
  const file = path.join(root, 'csvfile', 'image_text.csv')
  let buf: Buffer
  try {
    buf = await fs.promises.readFile(file)
  } catch {
    issues.error('csvfile/image_text.csv is missing', file)
    return { subsets: [], relative: false }
  }
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    issues.error(
      'the CSV starts with a BOM; the first column would be named "\\ufeffimg_path"',
      file
    )
  const text = decodeUtf8(buf)
  if (text === null) {
    issues.error('the CSV is not valid UTF-8', file)
    return { subsets: [], relative: false }
  }
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >
  const header = Object.keys(rows[0] ?? {})
  if (!header.includes('text_zh'))
    issues.error('the CSV has no text_zh column (csv2arrow reads image_path and text_zh)', file)
  if (!header.includes('image_path') && !header.includes('img_path'))
    issues.error('the CSV has no image_path column (older csv2arrow: img_path)', file)
  let relative = false
  let captions = 0
  for (const [i, r] of rows.entries()) {
    const row = `row ${i + 2}`
    // csv2arrow opens the path as it is: a relative one against the working directory
    const paths = ['image_path', 'img_path'].filter((c) => c in r).map((c) => r[c] as string)
    if (paths.some((p) => !path.isAbsolute(p))) relative = true
    const resolved = [...new Set(paths.map((p) => fromConfig(root, p)))]
    if (resolved.length !== 1) {
      issues.error(
        `${row}: image_path and img_path differ (csv2arrow versions read different images)`,
        file
      )
      continue
    }
    const abs = resolved[0] as string
    if (!(await rb.isFile(abs))) {
      issues.error(
        `${row}: the image does not exist (csv2arrow prints an error and leaves the row out)`,
        abs
      )
      continue
    }
    const t = r.text_zh ?? ''
    if (PANDAS_NA.has(t)) {
      issues.error(
        `${row}: pandas reads text_zh ${JSON.stringify(t)} as a missing value (NaN), not as the caption`,
        abs
      )
      continue
    }
    captions++
    fidelity.check(abs, [{ kind: 'text', text: t }], ',')
  }
  return {
    subsets: [
      {
        name: 'csv',
        imageDir: path.join(root, 'images'),
        repeats: 1,
        classTokens: '',
        images: rows.length,
        captions,
        isReg: false
      }
    ],
    relative
  }
}

// path_util.supported_image_extensions(), matched case-insensitively by mgds CollectPaths
const OT_EXT = new Set(['.bmp', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp', '.avif'])

/** mgds CollectPaths: files under the concept folder (recursively when asked), sorted. */
async function otFiles(rb: ReadBack, dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = []
  for (const e of (await rb.list(dir)) ?? []) {
    const p = path.join(dir, e.name)
    if (e.isFile()) out.push(p)
    else if (recursive && e.isDirectory() && !e.name.startsWith('.'))
      out.push(...(await otFiles(rb, p, true)))
  }
  return out.sort()
}

/** mgds LoadMultipleTexts: stripped non-empty lines, [""] when none (or no file). */
async function otLines(rb: ReadBack, file: string, issues: Issues): Promise<string[] | null> {
  if (!(await rb.isFile(file))) return ['']
  const t = decodeUtf8(await rb.read(file))
  if (t === null) {
    issues.error('caption is not valid UTF-8 (OneTrainer exits)', file)
    return null
  }
  const lines = pyReadLines(t)
    .map(pyStrip)
    .filter((l) => l !== '')
  return lines.length ? lines : ['']
}

export async function validateOneTrainer(
  root: string,
  rb: ReadBack,
  issues: Issues,
  fidelity: Fidelity
): Promise<FormatReadBack> {
  const file = path.join(root, 'training_concepts', 'concepts.json')
  let concepts: unknown
  try {
    concepts = JSON.parse(await fs.promises.readFile(file, 'utf8'))
  } catch {
    issues.error('training_concepts/concepts.json is missing or not JSON', file)
    return { subsets: [], relative: false }
  }
  if (!Array.isArray(concepts)) {
    issues.error('concepts.json must be a JSON array', file)
    return { subsets: [], relative: false }
  }
  const out: Subsets = []
  let relative = false
  for (const c of concepts) {
    if (!isTable(c) || typeof c.path !== 'string') {
      issues.error('a concept has no path', file)
      continue
    }
    if (c.enabled === false) continue
    const name = typeof c.name === 'string' ? c.name : c.path
    if (!Number.isInteger(c.seed))
      issues.warn(
        `concept "${name}" has no seed: OneTrainer draws a new one on every load (and its caches are keyed on it)`,
        file
      )
    if (!path.isAbsolute(c.path)) relative = true
    // CollectPaths: os.scandir(path), i.e. relative to the working directory
    const dir = fromConfig(root, c.path)
    if (!(await isDir(dir))) {
      issues.error('concept folder is missing (OneTrainer raises FileNotFoundError)', dir)
      continue
    }
    const text = isTable(c.text) ? c.text : {}
    const source = typeof text.prompt_source === 'string' ? text.prompt_source : 'sample'
    const delimiter = typeof text.tag_delimiter === 'string' ? text.tag_delimiter : ','
    const shuffle =
      text.enable_tag_shuffling === true
        ? { delimiter, keep: typeof text.keep_tags_count === 'number' ? text.keep_tags_count : 1 }
        : null
    const imgs = (await otFiles(rb, dir, c.include_subdirectories === true)).filter((p) => {
      const ext = path.extname(p).toLowerCase()
      const stem = splitext(path.basename(p))
      return OT_EXT.has(ext) && !/-(masklabel|condlabel)$/.test(stem)
    })
    let conceptLines: string[] | null = null
    if (source === 'concept') {
      const promptPath = typeof text.prompt_path === 'string' ? text.prompt_path : ''
      conceptLines = await otLines(rb, fromConfig(root, promptPath), issues)
    }
    let captions = 0
    for (const img of imgs) {
      const lines =
        source === 'filename'
          ? [splitext(path.basename(img))]
          : source === 'concept'
            ? conceptLines
            : await otLines(rb, splitext(img) + '.txt', issues)
      if (lines === null) continue
      if (lines.some((l) => l !== '')) captions++
      else issues.warn('no caption: OneTrainer trains on ""', img)
      fidelity.check(
        img,
        lines.map((l) => oneTrainerTrained(l, shuffle)),
        delimiter
      )
    }
    out.push({
      name,
      imageDir: dir,
      repeats: typeof c.balancing === 'number' ? c.balancing : 1,
      classTokens: '',
      images: imgs.length,
      captions,
      isReg: false
    })
  }
  return { subsets: out, relative }
}
