/**
 * What recognised lines mean for a caption: the script of each line, the in-image `text` field
 * per caption language, and watermark classification. Pure functions over OcrLine values.
 */
import type { Quad } from './geometry'
import { isCjk } from './rec'

export type OcrLang = 'zh' | 'en' | 'mixed'

export interface OcrLine {
  /** the recognised text, word spaces restored */
  text: string
  /** the text as the model decoded it, before space restoration */
  raw: string
  /** mean probability of the recognised characters, 0..1 */
  score: number
  /** top-left, top-right, bottom-right, bottom-left, in image pixels */
  box: Quad
  /** the axis-aligned bounds of `box`: x, y, width, height */
  rect: [x: number, y: number, w: number, h: number]
  /**
   * 'zh' for Chinese (CJK) characters only, 'en' for Latin letters only, 'mixed' for both, and
   * also for lines with neither (digits, symbols): those read the same in both languages.
   */
  lang: OcrLang
  /** spread between the 5th and 95th luminance percentiles of the line crop, 0..1 */
  contrast: number
  /** the line looks like a watermark or overlay credit (see `isWatermark`) */
  watermark: boolean
}

const LATIN_LETTER = /[\p{Script=Latin}]/u

/** The script of a line (see OcrLine.lang). */
export function lineLang(text: string): OcrLang {
  let cjk = false
  let latin = false
  for (const ch of text) {
    if (isCjk(ch)) cjk = true
    else if (LATIN_LETTER.test(ch)) latin = true
  }
  return cjk && !latin ? 'zh' : latin && !cjk ? 'en' : 'mixed'
}

/**
 * Credits, handles, addresses and stock-photo marks: text that is stamped on a picture rather
 * than part of the scene.
 */
const WATERMARK_TEXT = new RegExp(
  [
    '[©®™]',
    '\\(c\\)',
    '@[\\p{L}\\p{N}_.]{2,}',
    'https?:',
    'www\\.',
    '\\.(?:com|net|org|cn|io|co|me|tv)\\b',
    'watermark',
    'copyright',
    'photo(?:graph(?:ed|y)?)? by',
    'shutterstock',
    'getty ?images',
    'istock',
    'alamy',
    'dreamstime',
    '123rf',
    'depositphotos',
    'adobe ?stock',
    'pixabay',
    'unsplash',
    'pexels',
    '水印',
    '版权',
    '摄影',
    '图虫',
    '视觉中国',
    '全景网',
    '汇图网',
    '昵图',
    '千图',
    '包图',
    '摄图',
    '站酷',
    '小红书',
    '抖音',
    '微博',
    '知乎',
    '头条号'
  ].join('|'),
  'iu'
)

export interface WatermarkOptions {
  /** "small": line thickness at most this fraction of the image's shorter side; default 0.06 */
  smallFraction: number
  /** "low contrast": luminance spread in the line crop below this; default 0.35 */
  lowContrast: number
}

export const DEFAULT_WATERMARK_OPTIONS: WatermarkOptions = {
  smallFraction: 0.06,
  lowContrast: 0.35
}

/**
 * Whether a line looks like a watermark: text laid over the picture rather than part of it.
 * A heuristic on the line's size, place, contrast and wording; a line is a watermark when
 *  1. it reads like a credit or a stock mark (©, @handle, a web address, "photo by", stock-site
 *     and platform names, 水印/版权/摄影…) and is small or low in contrast, or
 *  2. it is small and sits in a corner (within the outer 40 % across and 20 % down), or
 *  3. it is small, low in contrast and sits along an edge (the outer 12 % on any side).
 * "Small" is a line thickness (the shorter side of its box) of at most 6 % of the image's shorter
 * side; "low contrast" a luminance spread (5th to 95th percentile) in the line crop below 0.35,
 * which is what semi-transparent overlays give. Large, high-contrast text anywhere (titles,
 * signs, posters) and small text in the middle of the scene are never watermarks.
 */
export function isWatermark(
  line: Pick<OcrLine, 'text' | 'box' | 'rect' | 'contrast'>,
  width: number,
  height: number,
  options: Partial<WatermarkOptions> = {}
): boolean {
  const o = { ...DEFAULT_WATERMARK_OPTIONS, ...options }
  const [p0, p1, , p3] = line.box
  const thickness = Math.min(
    Math.hypot(p1[0] - p0[0], p1[1] - p0[1]),
    Math.hypot(p3[0] - p0[0], p3[1] - p0[1])
  )
  const small = thickness <= o.smallFraction * Math.min(width, height)
  const lowContrast = line.contrast < o.lowContrast
  const [x, y, w, h] = line.rect
  const right = x + w
  const bottom = y + h
  const corner =
    (right <= 0.4 * width || x >= 0.6 * width) && (bottom <= 0.2 * height || y >= 0.8 * height)
  const edge =
    bottom <= 0.12 * height || y >= 0.88 * height || right <= 0.12 * width || x >= 0.88 * width
  if (WATERMARK_TEXT.test(line.text) && (small || lowContrast)) return true
  if (small && corner) return true
  return small && lowContrast && edge
}

export interface TextSummary {
  /** any line at all */
  hasText: boolean
  /** any line classified as a watermark */
  hasWatermark: boolean
  /** any line that is not a watermark: text that is part of the scene */
  hasSceneText: boolean
}

/** The image-level classification behind a "has text / watermark" filter. */
export function summariseText(lines: readonly Pick<OcrLine, 'watermark'>[]): TextSummary {
  const hasWatermark = lines.some((l) => l.watermark)
  const hasSceneText = lines.some((l) => !l.watermark)
  return { hasText: lines.length > 0, hasWatermark, hasSceneText }
}

export interface OcrTextOptions {
  /**
   * Lines written in the other language's script:
   *  - 'fallback' (default): left out, unless the caption language has no line of its own, in
   *    which case every line is quoted (the caption should not pretend there is no text);
   *  - 'omit': always left out;
   *  - 'include': every line goes to both languages.
   * Mixed and script-neutral lines ('mixed') always go to both languages.
   */
  otherScript: 'fallback' | 'omit' | 'include'
  /** quote watermark lines too; default false (they are flagged for cleanup, not described) */
  includeWatermarks: boolean
}

export const DEFAULT_OCR_TEXT_OPTIONS: OcrTextOptions = {
  otherScript: 'fallback',
  includeWatermarks: false
}

/**
 * The caption's structured `text` field per language: the lines as written (never translated),
 * in reading order, joined by a single space; '' when there is nothing to quote.
 */
export function ocrText(
  lines: readonly Pick<OcrLine, 'text' | 'lang' | 'watermark'>[],
  options: Partial<OcrTextOptions> = {}
): { zh: string; en: string } {
  const o = { ...DEFAULT_OCR_TEXT_OPTIONS, ...options }
  const kept = lines.filter((l) => l.text.trim() && (o.includeWatermarks || !l.watermark))
  const pick = (lang: 'zh' | 'en'): string => {
    const own = kept.filter((l) => l.lang === lang || l.lang === 'mixed')
    const hasOwnScript = kept.some((l) => l.lang === lang)
    const chosen =
      o.otherScript === 'include' || (o.otherScript === 'fallback' && !hasOwnScript) ? kept : own
    return chosen
      .map((l) => l.text.trim())
      .join(' ')
      .trim()
  }
  return { zh: pick('zh'), en: pick('en') }
}
