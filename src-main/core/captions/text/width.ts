/**
 * 全角/半角 (full-width / half-width) helpers. Every function maps one UTF-16 code unit to one code
 * unit, so indices into the result are indices into the input.
 */

const FULL_START = 0xff01 // ！
const FULL_END = 0xff5e // ～
const OFFSET = 0xfee0
const IDEOGRAPHIC_SPACE = 0x3000

/** Full-width ASCII variants (Ａ, １, ！, the ideographic space) to their ASCII forms. */
export function toHalfWidth(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= FULL_START && c <= FULL_END) out += String.fromCharCode(c - OFFSET)
    else if (c === IDEOGRAPHIC_SPACE) out += ' '
    else out += s[i]
  }
  return out
}

/** Printable ASCII to the full-width forms (space to the ideographic space). */
export function toFullWidth(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x21 && c <= 0x7e) out += String.fromCharCode(c + OFFSET)
    else if (c === 0x20) out += String.fromCharCode(IDEOGRAPHIC_SPACE)
    else out += s[i]
  }
  return out
}

/** Half-width code unit for one code unit (identity when it has no full-width form). */
export function halfWidthUnit(c: number): number {
  if (c >= FULL_START && c <= FULL_END) return c - OFFSET
  if (c === IDEOGRAPHIC_SPACE) return 0x20
  return c
}

const ZH_PUNCT: Record<string, string> = {
  ',': '，',
  ';': '；',
  ':': '：',
  '?': '？',
  '!': '！',
  '(': '（',
  ')': '）'
}
const HAN = /\p{Script=Han}/u

/**
 * Chinese punctuation for Chinese text: ASCII , ; : ? ! ( ) written next to a Han character
 * become ，；：？！（）; a full stop after a Han character becomes 。. Latin runs are left alone.
 */
export function zhPunctuation(s: string): string {
  const chars = Array.from(s)
  return chars
    .map((ch, i) => {
      const prev = chars[i - 1] ?? ''
      const next = chars[i + 1] ?? ''
      const nearHan = HAN.test(prev) || HAN.test(next)
      if (ch === '.' && HAN.test(prev) && !/\d/u.test(next)) return '。'
      return nearHan && ZH_PUNCT[ch] ? ZH_PUNCT[ch] : ch
    })
    .join('')
}
