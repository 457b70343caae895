/**
 * The pipeline's prefilter: one pass over a field's characters notes which kinds occur (a bit
 * each), and a rule that needs kinds the text lacks is not called at all. A URL needs a "/" or a
 * ".", a mention an "@" or a "/", an HTML tag a "<"; most captions have none of them, and every
 * skipped rule saves its own regex test and its result.
 *
 * A rule's `needs` must be a superset: the rule can change a text only if the text has one of the
 * kinds listed (the corpus and property tests run every rule with and without the prefilter).
 */
import type { Field } from './types'

export const AT = 1 << 0 // @ ＠
export const HASH = 1 << 1 // # ＃
export const SLASH = 1 << 2 // /
export const DOT = 1 << 3 // .
export const COLON = 1 << 4 // : ：
export const LT = 1 << 5 // <
export const AMP = 1 << 6 // &
export const OPEN = 1 << 7 // [ ( （ 【
export const UNDERSCORE = 1 << 8 // _
export const EMOJI = 1 << 9 // surrogate pairs, U+2000–U+2BFF, 〰 〽 ㊗ ㊙, VS16
export const HAN = 1 << 10 // CJK ideographs (and compatibility, extension A)
export const CJK_PUNCT = 1 << 11 // U+3000–U+303F, full-width forms U+FF00–U+FFEF
export const SPACE = 1 << 12 // " "
export const ODD_SPACE = 1 << 13 // tab, CR, LF, NBSP, zero-width and other spaces
export const ASCII_PUNCT = 1 << 14 // , ; ? ! ( )  (what zh punctuation normalisation turns full-width)
export const COMMA = 1 << 15 // ,

/** Which kinds of characters a text holds (bits above). */
export function charMask(text: string): number {
  let m = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) {
      if (c >= 0x61 && c <= 0x7a) continue // a-z: the common case first
      switch (c) {
        case 0x40:
          m |= AT
          break
        case 0x23:
          m |= HASH
          break
        case 0x2f:
          m |= SLASH
          break
        case 0x2e:
          m |= DOT
          break
        case 0x3a:
          m |= COLON
          break
        case 0x3c:
          m |= LT
          break
        case 0x26:
          m |= AMP
          break
        case 0x5b:
          m |= OPEN
          break
        case 0x28:
          m |= OPEN | ASCII_PUNCT
          break
        case 0x29:
        case 0x3b:
        case 0x3f:
        case 0x21:
          m |= ASCII_PUNCT
          break
        case 0x2c:
          m |= COMMA | ASCII_PUNCT
          break
        case 0x5f:
          m |= UNDERSCORE
          break
        case 0x20:
          m |= SPACE
          break
        case 0x09:
        case 0x0a:
        case 0x0d:
          m |= ODD_SPACE
          break
      }
    } else if (c >= 0x4e00 && c <= 0x9fff) m |= HAN
    else if (c >= 0xd800 && c <= 0xdfff) m |= EMOJI
    else if (c >= 0x3000 && c <= 0x303f) {
      m |= CJK_PUNCT
      if (c === 0x3000) m |= ODD_SPACE
      else if (c === 0x3030 || c === 0x303d) m |= EMOJI
      else if (c === 0x3010) m |= OPEN
    } else if (c >= 0xff00 && c <= 0xffef) {
      m |= CJK_PUNCT
      if (c === 0xff20) m |= AT
      else if (c === 0xff03) m |= HASH
      else if (c === 0xff1a) m |= COLON
      else if (c === 0xff08) m |= OPEN
    } else if (c >= 0x2000 && c <= 0x2bff) {
      m |= EMOJI
      if (c <= 0x200b || c === 0x2060 || c === 0x202f || c === 0x205f) m |= ODD_SPACE
    } else if (c === 0x00a0 || c === 0xfeff) m |= ODD_SPACE
    else if (c === 0xfe0f || c === 0x3297 || c === 0x3299) m |= EMOJI
    else if ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) m |= HAN
  }
  return m
}

/** A rule's prefilter: the kinds it needs (any one of them), for every field or per field. */
export type Needs = number | Partial<Record<Field, number>>

/** Whether a text with `mask` can be changed by a rule that needs `needs` on `field`. */
export function mayNeed(needs: Needs | undefined, field: Field, mask: number): boolean {
  if (needs === undefined) return true
  const n = typeof needs === 'number' ? needs : needs[field]
  return n === undefined || (n & mask) !== 0
}
