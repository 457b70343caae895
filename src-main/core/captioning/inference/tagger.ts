/**
 * WD14 / WD v3 tagger: `selected_tags.csv` labels, session I/O validation and tag selection
 * (per-category thresholds, MCut, ratings, underscore rule, exclude list). Pure functions: the
 * session itself lives in the inference host (host.ts); tagImages (pipeline.ts) glues them.
 *
 * Output order (the issue is silent; kohya uses CSV order, the wd-tagger Space sorts by score):
 * the kept rating first (if any), then character tags, then general tags, each group sorted by
 * score descending (ties keep CSV order). `order: 'csv'` keeps CSV order within each group.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { ModelError } from './errors'

export const TAG_CATEGORY = { rating: 9, general: 0, character: 4 } as const
export type TagKind = 'rating' | 'general' | 'character'

/** The wd-tagger Space's kaomoji list: underscores in these are never replaced. */
export const KAOMOJIS: ReadonlySet<string> = new Set(
  '0_0 (o)_(o) +_+ +_- ._. <o>_<o> <|>_<|> =_= >_< 3_3 6_9 >_o @_@ ^_^ o_o u_u x_x |_| ||_||'.split(
    ' '
  )
)

export interface TagLabel {
  name: string
  kind: TagKind
}

export interface TensorMeta {
  name: string
  /** numbers for fixed dims, strings for symbolic ones; empty when unknown */
  shape: ReadonlyArray<number | string>
  type?: string
}

export interface TaggerIO {
  inputName: string
  outputName: string
  /** square input side, read from the session */
  inputSize: number
  /** a fixed batch size, or 'dynamic' */
  batch: number | 'dynamic'
  /** output width = number of tags the model scores */
  numTags: number
}

/** Reads `selected_tags.csv` (columns tag_id,name,category[,count]). */
export async function readSelectedTags(csvFile: string): Promise<TagLabel[]> {
  let text: string
  try {
    text = await readFile(csvFile, 'utf8')
  } catch (err) {
    throw new ModelError(csvFile, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`)
  }
  let rows: Record<string, string>[]
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), {
      columns: true,
      skip_empty_lines: true,
      trim: true
    }) as Record<string, string>[]
  } catch (err) {
    throw new ModelError(csvFile, `is not valid CSV: ${(err as Error).message}`)
  }
  const first = rows[0]
  if (!first) throw new ModelError(csvFile, 'has no tag rows')
  for (const col of ['tag_id', 'name', 'category']) {
    if (!(col in first)) throw new ModelError(csvFile, `lacks the column "${col}"`)
  }
  return rows.map((row, i) => {
    const name = row.name ?? ''
    const category = Number(row.category)
    if (!name) throw new ModelError(csvFile, `row ${i + 2} has an empty name`)
    if (!Number.isInteger(category)) {
      throw new ModelError(csvFile, `row ${i + 2} has a bad category "${row.category}"`)
    }
    const kind: TagKind =
      category === TAG_CATEGORY.rating
        ? 'rating'
        : category === TAG_CATEGORY.character
          ? 'character'
          : 'general'
    return { name, kind }
  })
}

/** Checks a session's inputs/outputs have the tagger layout and reads names and sizes from them. */
export function validateTaggerIO(
  modelFile: string,
  inputs: readonly TensorMeta[],
  outputs: readonly TensorMeta[]
): TaggerIO {
  const input = inputs[0]
  const output = outputs[0]
  if (!input || !output) throw new ModelError(modelFile, 'has no inputs or no outputs')
  if (inputs.length !== 1) {
    throw new ModelError(
      modelFile,
      `has ${inputs.length} inputs; a tagger has exactly one image input`
    )
  }
  const fmt = (s: ReadonlyArray<number | string>): string => `[${s.join(', ')}]`
  const ishape = input.shape
  if (input.type && input.type !== 'float32') {
    throw new ModelError(
      modelFile,
      `input "${input.name}" is ${input.type}; a tagger takes float32`
    )
  }
  if (ishape.length !== 4 || ishape[3] !== 3) {
    throw new ModelError(
      modelFile,
      `input "${input.name}" has shape ${fmt(ishape)}; a tagger takes NHWC images [batch, H, W, 3]` +
        (ishape.length === 4 && ishape[1] === 3 ? ' (this looks like an NCHW image model)' : '')
    )
  }
  const [b, h, w] = ishape
  if (typeof h !== 'number' || typeof w !== 'number' || h !== w || h < 1) {
    throw new ModelError(
      modelFile,
      `input "${input.name}" has shape ${fmt(ishape)}; a tagger needs a fixed square size`
    )
  }
  const oshape = output.shape
  if (oshape.length !== 2 || typeof oshape[1] !== 'number' || oshape[1] < 1) {
    throw new ModelError(
      modelFile,
      `output "${output.name}" has shape ${fmt(oshape)}; a tagger outputs [batch, tags]`
    )
  }
  const batch = typeof b === 'number' && b > 0 ? b : 'dynamic'
  return { inputName: input.name, outputName: output.name, inputSize: h, batch, numTags: oshape[1] }
}

/** The CSV must describe exactly the model's outputs. */
export function checkLabelsMatch(csvFile: string, labels: readonly TagLabel[], io: TaggerIO): void {
  if (labels.length !== io.numTags) {
    throw new ModelError(
      csvFile,
      `has ${labels.length} tags but the model outputs ${io.numTags} scores; ` +
        'the CSV does not belong to this model'
    )
  }
}

export interface TagSelectOptions {
  /** default 0.35; a value > 1 disables general tags */
  generalThreshold?: number
  /** default 0.85; a value > 1 disables character tags */
  characterThreshold?: number
  /** MCut thresholding for general tags (replaces generalThreshold) */
  generalMcut?: boolean
  /** MCut thresholding for character tags, floored at 0.15 as in the wd-tagger Space */
  characterMcut?: boolean
  /** 'drop' (default) or 'top': keep the highest-scoring rating tag, placed first */
  rating?: 'drop' | 'top'
  /** replace `_` by a space, except in kaomoji (default true) */
  replaceUnderscores?: boolean
  /** tags never output; compared with underscores and spaces treated alike, case-insensitively */
  exclude?: readonly string[]
  /** 'score' (default): by score within each group; 'csv': CSV order within each group */
  order?: 'score' | 'csv'
}

export interface ScoredTag {
  tag: string
  score: number
  kind: TagKind
}

export const DEFAULT_TAG_OPTIONS = {
  generalThreshold: 0.35,
  characterThreshold: 0.85,
  generalMcut: false,
  characterMcut: false,
  rating: 'drop',
  replaceUnderscores: true,
  exclude: [] as readonly string[],
  order: 'score'
} as const satisfies Required<TagSelectOptions>

/**
 * MCut (Largeron et al., as in the wd-tagger Space): sort the probabilities in descending order,
 * find the largest gap between consecutive values and return the midpoint of that gap.
 * With fewer than two values there is no gap, and the threshold is 0 (keep everything).
 */
export function mcutThreshold(probs: ArrayLike<number>): number {
  const sorted = Array.from(probs).sort((a, b) => b - a)
  if (sorted.length < 2) return 0
  let best = -1
  let at = 0
  for (let i = 0; i + 1 < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i + 1]!
    if (gap > best) {
      best = gap
      at = i
    }
  }
  return (sorted[at]! + sorted[at + 1]!) / 2
}

export function displayTag(name: string, replaceUnderscores: boolean): string {
  if (!replaceUnderscores || KAOMOJIS.has(name)) return name
  return name.replace(/_/g, ' ')
}

const excludeKey = (tag: string): string =>
  KAOMOJIS.has(tag.trim())
    ? tag.trim()
    : tag
        .trim()
        .toLowerCase()
        .replace(/[_\s]+/g, ' ')

/** Turns one image's scores (`probs[i]` for label i) into the ordered tag list. */
export function selectTags(
  probs: ArrayLike<number>,
  labels: readonly TagLabel[],
  options: TagSelectOptions = {}
): ScoredTag[] {
  const o = { ...DEFAULT_TAG_OPTIONS, ...options }
  if (probs.length !== labels.length) {
    throw new Error(`got ${probs.length} scores for ${labels.length} tags`)
  }
  const idx: Record<TagKind, number[]> = { rating: [], general: [], character: [] }
  labels.forEach((l, i) => idx[l.kind].push(i))
  const scoresOf = (ids: number[]): number[] => ids.map((i) => probs[i]!)

  const gThr = o.generalMcut ? mcutThreshold(scoresOf(idx.general)) : o.generalThreshold
  const cThr = o.characterMcut
    ? Math.max(0.15, mcutThreshold(scoresOf(idx.character)))
    : o.characterThreshold
  const excluded = new Set(o.exclude.map(excludeKey))

  const pick = (ids: number[], thr: number, kind: TagKind): ScoredTag[] => {
    const out: ScoredTag[] = []
    for (const i of ids) {
      const score = probs[i]!
      if (!(score >= thr)) continue
      const tag = displayTag(labels[i]!.name, o.replaceUnderscores)
      if (excluded.has(excludeKey(tag)) || excluded.has(excludeKey(labels[i]!.name))) continue
      out.push({ tag, score, kind })
    }
    // Array.prototype.sort is stable, so ties keep CSV order.
    if (o.order === 'score') out.sort((a, b) => b.score - a.score)
    return out
  }

  const result: ScoredTag[] = []
  if (o.rating === 'top' && idx.rating.length > 0) {
    let top = idx.rating[0]!
    for (const i of idx.rating) if (probs[i]! > probs[top]!) top = i
    const tag = displayTag(labels[top]!.name, o.replaceUnderscores)
    if (!excluded.has(excludeKey(tag))) result.push({ tag, score: probs[top]!, kind: 'rating' })
  }
  result.push(...pick(idx.character, cThr, 'character'))
  result.push(...pick(idx.general, gThr, 'general'))
  return result
}

/** Paths of a tagger folder's two files. */
export function taggerFiles(dir: string): { model: string; csv: string } {
  return { model: path.join(dir, 'model.onnx'), csv: path.join(dir, 'selected_tags.csv') }
}
