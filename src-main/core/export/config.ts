/**
 * Trainer config, metadata and caption files, built from the layout with FINAL (post-rename)
 * paths. Each writer encodes the plan's composed caption so that the trainer's own reading gives
 * back exactly the intended text; the trainer behaviours relied on are cited where they matter
 * (sd-scripts library/train_util.py + config_util.py, HunyuanDiT hydit/data_loader/csv2arrow.py,
 * OneTrainer modules/util/config/ConceptConfig.py + mgds, HF datasets folder_based_builder.py).
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { stringify as toCsv } from 'csv-stringify/sync'
import { stringify as toToml } from 'smol-toml'
import { escapeWildcard, fullText, type ComposedCaption } from './caption'
import type { PlannedImage, Subset } from './layout'
import type { ExportProfile } from './types'

export interface WrittenImage {
  item: PlannedImage
  /** path relative to the export root, '/'-separated */
  rel: string
  width?: number
  height?: number
}

type TomlTable = Record<string, string | number | boolean | number[] | TomlTable[]>

/** What the TOML turns on, decided once for the whole export (sd-scripts applies it to all). */
export interface CaptionFlags {
  /** enable_wildcard: some caption has alternatives; every caption is then brace-escaped */
  wildcard: boolean
  /** shuffle_caption */
  shuffle: boolean
  /** the ||| marker is written between the trigger words and the rest */
  marker: boolean
  /** sd-scripts caption_separator: the profile separator trimmed, "," when that is empty */
  joiner: string
}

export function captionFlags(profile: ExportProfile, items: readonly PlannedImage[]): CaptionFlags {
  const c = profile.caption
  const shuffle = profile.kohya.shuffleCaption ?? c.keepTokens === 'separator'
  const sidecarish = profile.format === 'kohya' || profile.format === 'sdscripts'
  return {
    wildcard: sidecarish && items.some((i) => i.caption.texts.length > 1),
    shuffle: sidecarish && shuffle,
    // keep_tokens_separator only acts inside the shuffle branch of process_caption
    marker:
      sidecarish && shuffle && c.keepTokens === 'separator' && items.some((i) => i.caption.head),
    joiner: c.separator.trim() || ','
  }
}

/**
 * One written line per alternative for sd-scripts: with the ||| marker after the trigger words
 * when it is on, brace-escaped when enable_wildcard is on (TU process_caption: `{{`/`}}` are
 * literal, `{a|b}` is a random choice).
 */
function sdLine(c: ComposedCaption, i: number, flags: CaptionFlags, marker: string): string {
  let line: string
  if (flags.marker && c.head !== '') {
    const rest = [c.texts[i] ?? '', c.tags].filter((s) => s !== '').join(c.sep)
    line = rest === '' ? c.head : `${c.head} ${marker} ${rest}`
  } else line = fullText(c, i)
  return flags.wildcard ? escapeWildcard(line) : line
}

/**
 * The kohya sidecar: UTF-8 without BOM, one alternative per line, a trailing newline (never an
 * empty file: TU read_caption asserts `len(lines) > 0`). sd-scripts reads the first line unless
 * enable_wildcard, then every non-empty stripped line is an alternative.
 */
export function kohyaCaption(c: ComposedCaption, flags: CaptionFlags, marker: string): string {
  return c.texts.map((_, i) => sdLine(c, i, flags, marker)).join('\n') + '\n'
}

/** OneTrainer's <stem>.txt: every non-empty stripped line is a variant (mgds LoadMultipleTexts). */
export function oneTrainerCaption(c: ComposedCaption): string {
  return c.texts.map((_, i) => fullText(c, i)).join('\n') + '\n'
}

function captionKeys(profile: ExportProfile, flags: CaptionFlags): TomlTable {
  const c = profile.caption
  const g: TomlTable = {}
  if (flags.shuffle) g.shuffle_caption = true
  if (c.keepTokens === 'count' && c.triggerWords.length > 0) {
    // keep_tokens counts tokens split on caption_separator, so count them that way
    const head = [...new Set(c.triggerWords.map((t) => t.trim()).filter(Boolean))].join(c.separator)
    g.keep_tokens = head.split(flags.joiner).length
  }
  if (flags.marker) g.keep_tokens_separator = c.keepTokensSeparator
  // caption_separator is absent from older sd-scripts' ConfigSanitizer: only write it when needed
  if (flags.joiner !== ',') g.caption_separator = flags.joiner
  // Without it sd-scripts reads only the first line; with it, every caption is wildcard-expanded
  if (flags.wildcard) g.enable_wildcard = true
  return g
}

function datasetKeys(profile: ExportProfile): TomlTable {
  const k = profile.kohya
  const d: TomlTable = {
    resolution: typeof k.resolution === 'number' ? k.resolution : [...k.resolution],
    batch_size: k.batchSize,
    enable_bucket: k.enableBucket
  }
  if (k.enableBucket) {
    d.min_bucket_reso = k.minBucketReso
    d.max_bucket_reso = k.maxBucketReso
    d.bucket_reso_steps = k.bucketResoSteps
  }
  return d
}

/**
 * A path as the config should hold it. sd-scripts, csv2arrow and OneTrainer open relative paths
 * as they are, i.e. against the working directory (CU passes image_dir/metadata_file through
 * unchanged; csv2arrow `open(img_path)`; mgds CollectPaths `os.scandir(path)`), so relative
 * paths are relative to the export root and the trainer runs from there (README.txt).
 */
export function configPath(root: string, rel: string, profile: ExportProfile): string {
  return profile.paths === 'absolute' ? path.join(root, ...rel.split('/')) : rel
}

/** DreamBooth-style dataset_config.toml: explicit image_dir, num_repeats, class_tokens, ".txt". */
export function kohyaToml(
  subsets: readonly Subset[],
  root: string,
  profile: ExportProfile,
  flags: CaptionFlags
): string {
  // caption_extension: DreamBoothSubsetParams defaults to ".caption"; the sidecars are .txt
  const general: TomlTable = { caption_extension: '.txt', ...captionKeys(profile, flags) }
  const subs: TomlTable[] = subsets.map((s) => {
    const t: TomlTable = {
      image_dir: configPath(root, s.folder, profile),
      num_repeats: s.repeats,
      class_tokens: s.classTokens
    }
    if (s.isReg) t.is_reg = true
    return t
  })
  return toToml({ general, datasets: [{ ...datasetKeys(profile), subsets: subs }] }) + '\n'
}

/**
 * Fine-tune style: one metadata file per subset so each keeps its num_repeats. Relative mode:
 * image_dir "." and keys relative to the export root WITH their extension. Both loaders resolve
 * that key to the image: before c6bc632e `os.path.exists(key)` (against the working directory),
 * after it `os.path.join(image_dir, key)`; keys that include the folder stay unique across the
 * subsets of the dataset (TU register_image keys image_data by image_key). Absolute mode:
 * absolute keys with the extension, which work in both loaders too.
 */
export function fineTuneToml(
  subsets: ReadonlyArray<{ subset: Subset; metadataFile: string }>,
  root: string,
  profile: ExportProfile,
  flags: CaptionFlags
): string {
  const general = captionKeys(profile, flags)
  const subs: TomlTable[] = subsets.map(({ subset, metadataFile }) => ({
    image_dir: profile.paths === 'absolute' ? path.join(root, ...subset.folder.split('/')) : '.',
    metadata_file: configPath(root, metadataFile, profile),
    num_repeats: subset.repeats
  }))
  const doc: Record<string, unknown> = { datasets: [{ ...datasetKeys(profile), subsets: subs }] }
  return toToml(Object.keys(general).length > 0 ? { general, ...doc } : doc) + '\n'
}

interface FineTuneEntry {
  caption: string
  tags?: string
  image_size?: [number, number]
}

/**
 * sd-scripts metadata JSON. FineTuningDataset builds the caption as
 * `caption + caption_separator + tags` (with enable_wildcard: tags appended to every line), so
 * the tags field starts with what the profile separator has beyond caption_separator (", " →
 * " tag, tag") and the result is exactly the intended text. Where that cannot be exact (no caption
 * text, the ||| marker, a separator that does not start with caption_separator), the tags go into
 * the caption itself. Everything passes process_caption, so with enable_wildcard it is escaped.
 */
export function fineTuneJson(
  images: readonly WrittenImage[],
  root: string,
  profile: ExportProfile,
  flags: CaptionFlags
): string {
  const marker = profile.caption.keepTokensSeparator
  const out: Record<string, FineTuneEntry> = {}
  for (const w of images) {
    const c = w.item.caption
    const bare = { ...c, tags: '' }
    const heads = c.texts.map((_, i) => fullText(bare, i))
    const split =
      c.tags !== '' &&
      !(flags.marker && c.head !== '') &&
      heads.every((h) => h !== '') &&
      c.sep.startsWith(flags.joiner)
    const entry: FineTuneEntry = split
      ? {
          caption: heads.map((h) => (flags.wildcard ? escapeWildcard(h) : h)).join('\n'),
          tags: (() => {
            const t = c.sep.slice(flags.joiner.length) + c.tags
            return flags.wildcard ? escapeWildcard(t) : t
          })()
        }
      : { caption: c.texts.map((_, i) => sdLine(c, i, flags, marker)).join('\n') }
    if (w.width && w.height) entry.image_size = [w.width, w.height]
    out[configPath(root, w.rel, profile)] = entry
  }
  return JSON.stringify(out, null, 2) + '\n'
}

/**
 * HF imagefolder metadata.jsonl: `file_name` relative to the metadata file's folder
 * (folder_based_builder joins it with the metadata dir). Every row has the same keys: the
 * features come from the first rows read, and a key missing from a row reads back as null.
 * `text` is what diffusers trains on (--caption_column text); text_zh / text_en keep each
 * approved language as written.
 */
export function hfJsonl(images: readonly WrittenImage[], base: string): string {
  return (
    images
      .map((w) => {
        const i = w.item
        const row = {
          file_name: path.posix.relative(base, w.rel),
          text: fullText(i.caption, 0),
          text_zh: lines(i.image.zh),
          text_en: lines(i.image.en),
          tags: (i.image.tags ?? [])
            .map((t) => t.trim())
            .filter(Boolean)
            .join(', '),
          concept: i.subset.concept,
          caption_source: i.caption.source
        }
        return JSON.stringify(row)
      })
      .join('\n') + '\n'
  )
}

const lines = (s: string | undefined): string =>
  (s ?? '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')

/**
 * HunyuanDiT CSV. csv2arrow reads `image_path` + `text_zh` (older releases `img_path`), both are
 * written with the same path, relative to the export root (it `open()`s them as they are). No
 * BOM: pandas would name the first column "\ufeffimg_path". HunyuanDiT trains on text_zh.
 */
export function hunyuanCsv(
  images: readonly WrittenImage[],
  root: string,
  profile: ExportProfile
): string {
  const rows = images.map((w) => {
    const p = configPath(root, w.rel, profile)
    return [p, p, fullText(w.item.caption, 0)]
  })
  return toCsv([['img_path', 'image_path', 'text_zh'], ...rows], { record_delimiter: '\n' })
}

/**
 * A fixed seed per concept: OneTrainer's ConceptConfig draws `random.randint(-(1 << 30), 1 << 30)`
 * for a concept without one, on every load, and mgds' caches are keyed on it.
 */
export function conceptSeed(folder: string): number {
  const h = crypto.createHash('sha256').update(folder).digest()
  return (h.readUInt32BE(0) % (1 << 30)) - (1 << 29)
}

export function oneTrainerConcepts(
  subsets: readonly Subset[],
  root: string,
  profile: ExportProfile
): string {
  const c = profile.caption
  return (
    JSON.stringify(
      subsets.map((s) => ({
        __version: 2,
        name: s.isReg ? `${s.classTokens} (reg)` : s.classTokens,
        path: configPath(root, s.folder, profile),
        seed: conceptSeed(s.folder),
        enabled: true,
        type: 'STANDARD',
        include_subdirectories: false,
        image_variations: 1,
        text_variations: 1,
        balancing: s.repeats,
        balancing_strategy: 'REPEATS',
        loss_weight: 1.0,
        text: {
          prompt_source: 'sample',
          prompt_path: '',
          enable_tag_shuffling: false,
          tag_delimiter: c.separator.trim() || ',',
          keep_tags_count: Math.max(1, c.triggerWords.length)
        }
      })),
      null,
      2
    ) + '\n'
  )
}
