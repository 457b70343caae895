/**
 * Reads a kohya DreamBooth export the way sd-scripts does (formats.md §1–2), independently of the
 * exporter: the TOML through the sanitizer's key sets (CU ConfigSanitizer), image_dir as given —
 * a relative one against the working directory, i.e. the export folder the trainer runs from —
 * folder names through generate_dreambooth_subsets_config_by_subdirs, images through
 * glob_images, captions through DreamBoothDataset.read_caption (first line, or every non-empty
 * line with enable_wildcard; class_tokens without a caption file) and BaseDataset.process_caption
 * (wildcards, shuffle with keep_tokens / keep_tokens_separator, secondary_separator), then the
 * fidelity check against the plan's intended caption of each image.
 */
import path from 'node:path'
import type { ValidationReport } from '../types'
import { pool } from '../pool'
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
import { pyReadLines, pyStrip } from './python'
import { sdTrained, type SdCaptionConfig } from './trained'

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

export function checkKeys(
  t: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  where: string,
  issues: Issues
): void {
  for (const k of Object.keys(t))
    if (!allowed.has(k))
      issues.error(`${where}: key "${k}" is not accepted by sd-scripts (extra keys not allowed)`)
}

/** os.path.splitext(name)[0] for a file name (a leading dot is not an extension). */
export function splitext(name: string): string {
  const i = name.lastIndexOf('.')
  return i > 0 ? name.slice(0, i) : name
}

/** A path from the TOML as sd-scripts opens it, running from the export folder. */
export function fromConfig(root: string, p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(root, p)
}

/** The caption options of a subset (subset → dataset → [general] → argparse defaults). */
export function sdCaptionConfig(pick: (k: string) => unknown): SdCaptionConfig {
  const str = (k: string): string | null => {
    const v = pick(k)
    return typeof v === 'string' && v !== '' ? v : null
  }
  const num = (k: string): number => (typeof pick(k) === 'number' ? (pick(k) as number) : 0)
  return {
    enableWildcard: pick('enable_wildcard') === true,
    shuffle:
      pick('shuffle_caption') === true ||
      num('token_warmup_step') > 0 ||
      num('caption_tag_dropout_rate') > 0,
    captionSeparator: str('caption_separator') ?? ',',
    keepTokens: num('keep_tokens'),
    keepTokensSeparator: str('keep_tokens_separator'),
    secondarySeparator: str('secondary_separator'),
    captionPrefix: str('caption_prefix'),
    captionSuffix: str('caption_suffix')
  }
}

/** Random emptying or truncation the fidelity check cannot follow. */
export function warnRandomText(pick: (k: string) => unknown, where: string, issues: Issues): void {
  for (const k of [
    'caption_dropout_rate',
    'caption_dropout_every_n_epochs',
    'caption_tag_dropout_rate',
    'token_warmup_step'
  ])
    if (typeof pick(k) === 'number' && (pick(k) as number) > 0)
      issues.warn(`${where}: ${k} drops or truncates captions at random during training`)
}

export async function validateKohya(
  root: string,
  rb: ReadBack,
  issues: Issues,
  fidelity: Fidelity
): Promise<FormatReadBack> {
  let relative = false
  const subsetsOut: ValidationReport['subsets'] = []
  const toml = await readToml(path.join(root, 'dataset_config.toml'), issues)
  if (!toml) return { subsets: [], relative }
  for (const k of Object.keys(toml))
    if (!TOP_LEVEL.has(k)) issues.error(`top level: key "${k}" is not accepted`)
  const general = isTable(toml.general) ? toml.general : {}
  checkKeys(general, ACCEPTED_KEYS.db.general, '[general]', issues)
  const datasets = Array.isArray(toml.datasets) ? toml.datasets.filter(isTable) : []
  if (datasets.length === 0) issues.error('no [[datasets]] in dataset_config.toml')

  const seenDirs = new Set<string>()
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
      if (typeof sub.image_dir !== 'string' || sub.image_dir === '') {
        issues.error(`${where}: image_dir is required`)
        continue
      }
      if (!path.isAbsolute(sub.image_dir)) relative = true
      // DreamBoothSubset.__eq__ compares image_dir: a repeated one is ignored
      if (seenDirs.has(sub.image_dir)) {
        issues.warn(`${where}: image_dir repeats an earlier subset; sd-scripts ignores it`)
        continue
      }
      seenDirs.add(sub.image_dir)
      const dir = fromConfig(root, sub.image_dir)
      if (!(await isDir(dir))) {
        issues.error(
          `${where}: image_dir does not exist (not directory: sd-scripts finds no images)`,
          dir
        )
        continue
      }
      const repeats = pick('num_repeats') ?? 1
      const classTokens = pick('class_tokens')
      const cfg = sdCaptionConfig(pick)
      warnRandomText(pick, where, issues)
      let ext =
        typeof pick('caption_extension') === 'string'
          ? (pick('caption_extension') as string)
          : '.caption'
      if (!ext.startsWith('.')) ext = '.' + ext
      if (ext !== '.txt')
        issues.error(
          `${where}: caption_extension is ${JSON.stringify(ext)}, the captions are .txt files`
        )
      if (typeof repeats !== 'number' || !Number.isInteger(repeats) || repeats < 1) {
        issues.error(`${where}: num_repeats must be an integer ≥ 1 (sd-scripts ignores the subset)`)
        continue
      }
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
      // read_caption: "<stem><ext>", then the face-crop form (stem minus its last 4 "_" parts)
      const capFor = async (img: string): Promise<string | null> => {
        const base = splitext(img)
        const tokens = base.split('_')
        const cands = [base + ext]
        if (tokens.length >= 5) cands.push(tokens.slice(0, -4).join('_') + ext)
        for (const c of cands) if (await rb.isFile(path.join(dir, c))) return c
        return null
      }
      // read every caption file (many in flight), then judge them in order
      const capNames = new Array<string | null>(imgs.length)
      const read = new Array<Buffer | null | Error>(imgs.length)
      await pool(imgs, 32, undefined, async (img, i) => {
        try {
          const cap = await capFor(img)
          capNames[i] = cap
          read[i] = cap === null ? null : await rb.read(path.join(dir, cap))
        } catch (err) {
          read[i] = err instanceof Error ? err : new Error(String(err))
        }
      })
      const captionOwners = new Map<string, string>()
      let captions = 0
      for (const [i, img] of imgs.entries()) {
        const imgPath = path.join(dir, img)
        const capName = capNames[i]
        if (capName) {
          const other = captionOwners.get(capName)
          if (other) issues.error(`${img} and ${other} share the caption ${capName}`, imgPath)
          captionOwners.set(capName, img)
        }
        const capPath = path.join(dir, capName ?? splitext(img) + ext)
        const buf = read[i]
        let caption: string
        if (buf === null || buf === undefined) {
          if (typeof classTokens === 'string') {
            issues.warn(
              `no caption file; sd-scripts trains on the class tokens ${JSON.stringify(classTokens)}`,
              imgPath
            )
            caption = classTokens
          } else {
            issues.warn(
              'neither a caption file nor class tokens: sd-scripts uses an empty caption',
              imgPath
            )
            caption = ''
          }
        } else if (buf instanceof Error) {
          issues.error(`caption file cannot be read: ${buf.message}`, capPath)
          continue
        } else {
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
            issues.error(
              'caption file starts with a BOM, which becomes part of the caption',
              capPath
            )
          const lines = pyReadLines(text)
          caption = cfg.enableWildcard
            ? lines
                .map(pyStrip)
                .filter((l) => l !== '')
                .join('\n')
            : pyStrip(lines[0] ?? '')
          captions++
        }
        fidelity.check(imgPath, sdTrained(caption, cfg), cfg.captionSeparator)
      }
      if (imgs.length === 0) issues.error(`${where}: no images sd-scripts would find`, dir)
      subsetsOut.push({
        name: path.basename(dir),
        imageDir: dir,
        repeats,
        classTokens: typeof classTokens === 'string' ? classTokens : '',
        images: imgs.length,
        captions,
        isReg: sub.is_reg === true
      })
    }
  }
  return { subsets: subsetsOut, relative }
}
