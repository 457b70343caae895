/**
 * What the plan, the report and README.txt say about an export: where each caption comes from
 * (per-source counts), how lines and languages are written, and how to run the trainer on it.
 */
import {
  EXPORT_ALTERNATIVE_FORMATS,
  EXPORT_CAPTION_SOURCES,
  type ExportCaptionPlan,
  type ExportCaptionSources,
  type ExportPortability
} from '../../shared/api'
import { effectiveLines, primaryLanguage } from './caption'
import type { PlannedImage } from './layout'
import type { ExportFormat, ExportProfile } from './types'

export function emptySources(): ExportCaptionSources {
  return Object.fromEntries(EXPORT_CAPTION_SOURCES.map((s) => [s, 0])) as ExportCaptionSources
}

export function captionPlan(
  profile: ExportProfile,
  items: readonly PlannedImage[]
): ExportCaptionPlan {
  const sources = emptySources()
  let multiLine = 0
  let wildcard = false
  for (const it of items) {
    sources[it.caption.source]++
    if (it.caption.multi) multiLine++
    if (it.caption.texts.length > 1) wildcard = true
  }
  const f = profile.format
  return {
    language: profile.caption.language,
    primary: primaryLanguage(f, profile.caption.language),
    lines: effectiveLines(f, profile.caption.lines),
    alternativesSupported: EXPORT_ALTERNATIVE_FORMATS.has(f),
    multiLine,
    wildcard: wildcard && (f === 'kohya' || f === 'sdscripts'),
    sources
  }
}

/** The trainer resolves relative paths against its working directory (all but HF). */
export function runsFromExport(format: ExportFormat, profile: ExportProfile): boolean {
  return format !== 'hf' && profile.paths === 'relative'
}

const HOW: Record<ExportFormat, (cwd: boolean) => string> = {
  kohya: (cwd) =>
    cwd
      ? 'cd into the export folder, then run the sd-scripts training script with --dataset_config dataset_config.toml (image_dir is relative to the working directory)'
      : 'run the sd-scripts training script with --dataset_config <export>/dataset_config.toml (absolute paths: only valid where the export was written)',
  sdscripts: (cwd) =>
    cwd
      ? 'cd into the export folder, then run the sd-scripts fine-tune script with --dataset_config dataset_config.toml (metadata_file, image_dir and the image keys are relative to the working directory)'
      : 'run the sd-scripts fine-tune script with --dataset_config <export>/dataset_config.toml (absolute paths: only valid where the export was written)',
  hf: () =>
    'load_dataset("imagefolder", data_dir="<export>/train") or diffusers --train_data_dir <export>/train --caption_column text (file_name is relative to metadata.jsonl: the folder can move)',
  hunyuan: (cwd) =>
    cwd
      ? 'cd into the export folder, then python <HunyuanDiT>/hydit/data_loader/csv2arrow.py csvfile/image_text.csv arrows 1 (image paths are relative to the working directory; the Arrow files then hold the images)'
      : 'python <HunyuanDiT>/hydit/data_loader/csv2arrow.py <export>/csvfile/image_text.csv <out> 1 (absolute paths: only valid where the export was written)',
  onetrainer: (cwd) =>
    cwd
      ? 'OneTrainer opens concept paths relative to its working directory: start it from inside the export folder with training_concepts/concepts.json as the concept file, or re-export with absolute paths on the training machine'
      : 'use <export>/training_concepts/concepts.json as the concept file (absolute paths: only valid where the export was written)'
}

export function portability(profile: ExportProfile): ExportPortability {
  const cwd = runsFromExport(profile.format, profile)
  return {
    paths: profile.format === 'hf' ? 'relative' : profile.paths,
    runFromExport: cwd,
    howToRun: HOW[profile.format](cwd)
  }
}

const BOTH: Record<ExportFormat, string> = {
  kohya:
    'Chinese and English in one caption, joined by the separator; with "lines are alternatives", one line each and sd-scripts picks one per step (enable_wildcard)',
  sdscripts:
    'Chinese and English in one caption, joined by the separator; with "lines are alternatives", one line each and sd-scripts picks one per step (enable_wildcard)',
  onetrainer:
    'Chinese and English in one caption line; with "lines are alternatives", one line each and OneTrainer picks one at random per step',
  hf: '`text` holds Chinese and English in one caption; text_zh and text_en always keep each language',
  hunyuan: 'text_zh holds Chinese and English in one caption (HunyuanDiT trains on text_zh)'
}

/** "both" for this format, in one sentence (CLI help, README.txt). */
export function bothMeaning(format: ExportFormat): string {
  return BOTH[format]
}

/** README.txt written into every export: how to run the trainer, what the captions are. */
export function readmeText(
  profile: ExportProfile,
  plan: ExportCaptionPlan,
  port: ExportPortability,
  images: number
): string {
  const s = plan.sources
  const lang =
    plan.primary === 'both'
      ? 'both languages'
      : `${plan.primary === 'zh' ? 'Chinese' : 'English'} first, the other language where an image has none`
  return [
    `Glossa export (${profile.format}), ${images} images.`,
    '',
    'How to train on it:',
    `  ${port.howToRun}`,
    '',
    `Captions: ${lang}${profile.caption.language === 'auto' ? ' (the format default)' : ''}.`,
    `  "both" here: ${bothMeaning(profile.format)}.`,
    plan.lines === 'alternatives'
      ? '  Multi-line captions: each line is an alternative the trainer picks per step.'
      : '  Multi-line captions: joined into one line.',
    `  Sources: zh ${s.zh}, en ${s.en}, both ${s.both}, fallback to zh ${s['fallback-zh']}, fallback to en ${s['fallback-en']}, tags only ${s.tags}, class tokens (no caption) ${s.class}.`,
    '',
    'manifest.json lists every file with its sha256 and the caption each image should train on.',
    '',
    '训练方法：',
    port.runFromExport
      ? '  路径相对于导出文件夹：请先 cd 进入本文件夹再运行训练器。'
      : profile.format === 'hf'
        ? '  file_name 相对于 metadata.jsonl，文件夹可以移动。'
        : '  路径为绝对路径：只在导出时所在的位置有效。',
    ''
  ].join('\n')
}
