/**
 * Reads a kohya DreamBooth export the way sd-scripts does (formats.md §1–2), independently of the
 * exporter: the TOML through the sanitizer's key sets, folder names through
 * generate_dreambooth_subsets_config_by_subdirs, images through glob_images, captions through
 * DreamBoothDataset.read_caption.
 */
import path from 'node:path'
import type { ValidationReport } from '../types'
import { pool } from '../pool'
import { decodeUtf8, isDir, isTable, Issues, ReadBack, readToml } from './common'
import { ACCEPTED_KEYS, TOP_LEVEL } from './keys'

const EXTS = ['.png', '.jpg', '.jpeg', '.webp', '.bmp']
export const KOHYA_IMAGE_EXTENSIONS = [...EXTS, ...EXTS.map((e) => e.toUpperCase())]

/** Python int(): optional whitespace and sign around ASCII digits. */
function pyInt(s: string): number | null {
  return /^\s*[+-]?\d+\s*$/.test(s) ? Number.parseInt(s.trim(), 10) : null
}

/** generate_dreambooth_subsets_config_by_subdirs: split on "_", int(tokens[0]), "_".join(rest). */
export function parseKohyaFolderName(
  name: string
): { repeats: number; classTokens: string } | null {
  const tokens = name.split('_')
  const n = pyInt(tokens[0] ?? '')
  if (n === null || n < 1) return null
  return { repeats: n, classTokens: tokens.slice(1).join('_') }
}

function checkKeys(
  t: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  where: string,
  issues: Issues
): void {
  for (const k of Object.keys(t))
    if (!allowed.has(k))
      issues.error(`${where}: key "${k}" is not accepted by sd-scripts (extra keys not allowed)`)
}

function splitext(name: string): string {
  const i = name.lastIndexOf('.')
  return i > 0 ? name.slice(0, i) : name
}

export async function validateKohya(
  root: string,
  rb: ReadBack = new ReadBack()
): Promise<ValidationReport> {
  const issues = new Issues()
  const subsetsOut: ValidationReport['subsets'] = []
  let total = 0
  const toml = await readToml(path.join(root, 'dataset_config.toml'), issues)
  if (!toml) return { format: 'kohya', ok: false, issues: issues.list, subsets: [], images: 0 }
  for (const k of Object.keys(toml))
    if (!TOP_LEVEL.has(k)) issues.error(`top level: key "${k}" is not accepted`)
  const general = isTable(toml.general) ? toml.general : {}
  checkKeys(general, ACCEPTED_KEYS.db.general, '[general]', issues)
  const datasets = Array.isArray(toml.datasets) ? toml.datasets.filter(isTable) : []
  if (datasets.length === 0) issues.error('no [[datasets]] in dataset_config.toml')

  for (const [di, ds] of datasets.entries()) {
    checkKeys(ds, ACCEPTED_KEYS.db.dataset, `[[datasets]] #${di + 1}`, issues)
    if (ds.resolution === undefined && general.resolution === undefined)
      issues.error(`[[datasets]] #${di + 1}: resolution is required for DreamBooth datasets`)
    const subsets = Array.isArray(ds.subsets) ? ds.subsets.filter(isTable) : []
    if (subsets.length === 0) issues.error(`[[datasets]] #${di + 1} has no subsets`)
    for (const [si, sub] of subsets.entries()) {
      const where = `[[datasets.subsets]] #${si + 1}`
      checkKeys(sub, ACCEPTED_KEYS.db.subset, where, issues)
      if ('metadata_file' in sub)
        issues.error(`${where}: metadata_file makes it fine-tune style; mixing styles is an error`)
      const pick = (k: string): unknown => sub[k] ?? ds[k] ?? general[k]
      const dir = sub.image_dir
      if (typeof dir !== 'string' || !path.isAbsolute(dir)) {
        issues.error(`${where}: image_dir must be an absolute path`)
        continue
      }
      if (!(await isDir(dir))) {
        issues.error(`${where}: image_dir does not exist`, dir)
        continue
      }
      const repeats = pick('num_repeats') ?? 1
      const classTokens = pick('class_tokens')
      const wildcard = pick('enable_wildcard') === true
      let ext =
        typeof pick('caption_extension') === 'string'
          ? (pick('caption_extension') as string)
          : '.caption'
      if (!ext.startsWith('.')) ext = '.' + ext
      if (ext !== '.txt')
        issues.error(
          `${where}: caption_extension is ${JSON.stringify(ext)}, the captions are .txt files`
        )
      if (typeof repeats !== 'number' || !Number.isInteger(repeats) || repeats < 1)
        issues.error(`${where}: num_repeats must be an integer ≥ 1`)
      // The same folder read with --train_data_dir (no TOML) must give the same values.
      const folder = parseKohyaFolderName(path.basename(dir))
      if (!folder)
        issues.error(
          `${where}: folder name "${path.basename(dir)}" does not parse as <repeats>_<name>`,
          dir
        )
      else {
        if (folder.repeats !== repeats)
          issues.error(
            `${where}: num_repeats ${String(repeats)} ≠ ${folder.repeats} from the folder name`,
            dir
          )
        if (folder.classTokens !== classTokens) {
          issues.error(
            `${where}: class_tokens ${JSON.stringify(classTokens)} ≠ ${JSON.stringify(folder.classTokens)} from the folder name`,
            dir
          )
        }
      }
      const sepTok = pick('keep_tokens_separator')
      const shuffles =
        pick('shuffle_caption') === true ||
        Number(pick('token_warmup_step') ?? 0) > 0 ||
        Number(pick('caption_tag_dropout_rate') ?? 0) > 0

      const names = ((await rb.list(dir)) ?? []).filter((e) => e.isFile()).map((e) => e.name)
      // glob_images: "*<ext>" per extension (case-sensitive; dot files are not matched), de-duplicated, sorted
      const found = new Set(
        names.filter((n) => !n.startsWith('.') && KOHYA_IMAGE_EXTENSIONS.some((e) => n.endsWith(e)))
      )
      const imgs = [...found].sort()
      for (const n of names) {
        const lower = n.toLowerCase()
        if (
          !found.has(n) &&
          (EXTS.some((e) => lower.endsWith(e)) || /\.(gif|tiff?|avif|jxl)$/.test(lower))
        ) {
          issues.warn(
            'an image file sd-scripts will not read (extension case or type)',
            path.join(dir, n)
          )
        }
      }
      // read every caption file (many in flight), then judge them in order
      const capNames = imgs.map((img) => splitext(img) + ext)
      const read = new Array<Buffer | null | Error>(imgs.length)
      await pool(imgs, 32, undefined, async (_img, i) => {
        const capPath = path.join(dir, capNames[i] as string)
        try {
          read[i] = (await rb.isFile(capPath)) ? await rb.read(capPath) : null
        } catch (err) {
          read[i] = err instanceof Error ? err : new Error(String(err))
        }
      })
      const captionOwners = new Map<string, string>()
      let captions = 0
      for (const [i, img] of imgs.entries()) {
        const capName = capNames[i] as string
        const other = captionOwners.get(capName)
        if (other)
          issues.error(`${img} and ${other} share the caption ${capName}`, path.join(dir, img))
        captionOwners.set(capName, img)
        const capPath = path.join(dir, capName)
        const buf = read[i]
        if (buf === null || buf === undefined) {
          issues.warn(
            `no caption file; sd-scripts trains on the class tokens ${JSON.stringify(classTokens ?? '')}`,
            path.join(dir, img)
          )
          continue
        }
        if (buf instanceof Error) {
          issues.error(`caption file cannot be read: ${buf.message}`, capPath)
          continue
        }
        if (buf.length === 0) {
          issues.error('caption file is empty (sd-scripts fails its assertion)', capPath)
          continue
        }
        const text = decodeUtf8(buf)
        if (text === null) {
          issues.error('caption file is not valid UTF-8 (sd-scripts raises an error)', capPath)
          continue
        }
        if (text.startsWith('\ufeff'))
          issues.error('caption file starts with a BOM, which becomes part of the caption', capPath)
        const lines = text.split('\n')
        const first = (lines[0] ?? '').trim()
        const nonEmpty = lines.map((l) => l.trim()).filter(Boolean)
        if (!wildcard && first === '')
          issues.error('the first line is empty; sd-scripts uses only the first line', capPath)
        if (!wildcard && nonEmpty.length > 1)
          issues.warn(
            'several lines but enable_wildcard is off: only the first line is used',
            capPath
          )
        const used = wildcard ? nonEmpty : [first]
        if (used.some((l) => l.includes('|||'))) {
          if (sepTok !== '|||')
            issues.error('the caption has "|||" but keep_tokens_separator is not "|||"', capPath)
          else if (!shuffles)
            issues.error(
              'the caption has "|||" but shuffle_caption is off, so sd-scripts would train on the literal "|||"',
              capPath
            )
        }
        captions++
      }
      if (imgs.length === 0) issues.error(`${where}: no images sd-scripts would find`, dir)
      total += imgs.length
      subsetsOut.push({
        name: path.basename(dir),
        imageDir: dir,
        repeats: typeof repeats === 'number' ? repeats : 0,
        classTokens: typeof classTokens === 'string' ? classTokens : '',
        images: imgs.length,
        captions,
        isReg: sub.is_reg === true
      })
    }
  }
  return { format: 'kohya', ok: issues.ok, issues: issues.list, subsets: subsetsOut, images: total }
}
