/** Trainer config and metadata files, built from the layout with FINAL (post-rename) paths. */
import path from 'node:path'
import { stringify as toCsv } from 'csv-stringify/sync'
import { stringify as toToml } from 'smol-toml'
import { composeCaption } from './caption'
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

export interface CaptionFlags {
  multiLine: boolean
  usesSeparator: boolean
}

function captionKeys(profile: ExportProfile, flags: CaptionFlags): TomlTable {
  const c = profile.caption
  const g: TomlTable = {}
  const shuffle = profile.kohya.shuffleCaption ?? c.keepTokens === 'separator'
  if (shuffle) g.shuffle_caption = true
  if (c.keepTokens === 'count' && c.triggerWords.length > 0) g.keep_tokens = c.triggerWords.length
  if (flags.usesSeparator) g.keep_tokens_separator = c.keepTokensSeparator
  const sep = c.separator.trim()
  if (sep !== '' && sep !== ',') g.caption_separator = sep
  // kohya reads only the first line unless enable_wildcard is on
  if (flags.multiLine) g.enable_wildcard = true
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

/** DreamBooth-style dataset_config.toml: explicit image_dir, num_repeats, class_tokens, ".txt". */
export function kohyaToml(
  subsets: readonly Subset[],
  root: string,
  profile: ExportProfile,
  flags: CaptionFlags
): string {
  const general: TomlTable = { caption_extension: '.txt', ...captionKeys(profile, flags) }
  const subs: TomlTable[] = subsets.map((s) => {
    const t: TomlTable = {
      image_dir: path.join(root, ...s.folder.split('/')),
      num_repeats: s.repeats,
      class_tokens: s.classTokens
    }
    if (s.isReg) t.is_reg = true
    return t
  })
  return toToml({ general, datasets: [{ ...datasetKeys(profile), subsets: subs }] }) + '\n'
}

/** Fine-tune style: one metadata file per subset so each keeps its num_repeats. */
export function fineTuneToml(
  subsets: ReadonlyArray<{ subset: Subset; metadataFile: string }>,
  root: string,
  profile: ExportProfile,
  flags: CaptionFlags
): string {
  const general = captionKeys(profile, flags)
  const subs: TomlTable[] = subsets.map(({ subset, metadataFile }) => ({
    image_dir: path.join(root, ...subset.folder.split('/')),
    metadata_file: path.join(root, ...metadataFile.split('/')),
    num_repeats: subset.repeats
  }))
  const doc: Record<string, unknown> = { datasets: [{ ...datasetKeys(profile), subsets: subs }] }
  return toToml(Object.keys(general).length > 0 ? { general, ...doc } : doc) + '\n'
}

/** sd-scripts metadata JSON: absolute keys WITH the extension (works before and after c6bc632e). */
export function fineTuneJson(
  images: readonly WrittenImage[],
  root: string,
  profile: ExportProfile
): string {
  const out: Record<string, { caption: string; tags?: string; image_size?: [number, number] }> = {}
  for (const w of images) {
    // sd-scripts appends `tags` to the caption itself, so the caption is composed without them
    const text = composeCaption(w.item.image, {
      ...profile.caption,
      includeTags: false
    }).lines.join('\n')
    const entry: { caption: string; tags?: string; image_size?: [number, number] } = {
      caption: text !== '' ? text : w.item.caption.lines.join('\n')
    }
    if (w.item.caption.tags !== '' && text !== '') entry.tags = w.item.caption.tags
    if (w.width && w.height) entry.image_size = [w.width, w.height]
    out[path.join(root, ...w.rel.split('/'))] = entry
  }
  return JSON.stringify(out, null, 2) + '\n'
}

export function hfJsonl(images: readonly WrittenImage[], base: string): string {
  return (
    images
      .map((w) => {
        const row: Record<string, string> = {
          file_name: path.posix.relative(base, w.rel),
          text: w.item.caption.lines.join('\n')
        }
        if (w.item.image.zh) row.text_zh = w.item.image.zh
        if (w.item.image.en) row.text_en = w.item.image.en
        if (w.item.caption.tags) row.tags = w.item.caption.tags
        row.concept = w.item.subset.concept
        return JSON.stringify(row)
      })
      .join('\n') + '\n'
  )
}

/** HunyuanDiT CSV: csv2arrow reads img_path, the README says image_path; both are written. No BOM. */
export function hunyuanCsv(images: readonly WrittenImage[], root: string): string {
  const rows = images.map((w) => {
    const abs = path.join(root, ...w.rel.split('/'))
    return [abs, abs, w.item.caption.lines.join('\n')]
  })
  return toCsv([['img_path', 'image_path', 'text_zh'], ...rows], { record_delimiter: '\n' })
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
        path: path.join(root, ...s.folder.split('/')),
        enabled: true,
        type: 'STANDARD',
        include_subdirectories: false,
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
