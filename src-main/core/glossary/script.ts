/** 简/繁 conversion (opencc-js) and the per-character folding used for matching. */
import * as OpenCC from 'opencc-js'
import { halfWidthUnit } from '../captions/text/width'

export type Script = 'simplified' | 'traditional' | 'taiwan' | 'hongkong'

const converters = new Map<string, (s: string) => string>()
function converter(from: string, to: string): (s: string) => string {
  const key = `${from}>${to}`
  let c = converters.get(key)
  if (!c) {
    c = OpenCC.Converter({ from, to })
    converters.set(key, c)
  }
  return c
}

/** Traditional (any variant) to simplified Chinese, phrase-aware. */
export function toSimplified(text: string): string {
  return converter('hk', 'cn')(converter('tw', 'cn')(text))
}

/** Simplified to traditional: OpenCC standard (`traditional`), Taiwan or Hong Kong forms. */
export function toTraditional(
  text: string,
  variant: Exclude<Script, 'simplified'> = 'traditional'
): string {
  const to = variant === 'taiwan' ? 'twp' : variant === 'hongkong' ? 'hk' : 't'
  return converter('cn', to)(text)
}

export function convertScript(text: string, to: Script): string {
  return to === 'simplified' ? toSimplified(text) : toTraditional(text, to)
}

// ---------------------------------------------------------------------------------------------
// Folding: one code unit in, one code unit out, so match positions are positions in the original.

const table = new Uint16Array(0x10000)
const known = new Uint8Array(0x10000)

function computeUnit(c: number): number {
  const h = halfWidthUnit(c)
  if (h < 0x80) return h >= 0x41 && h <= 0x5a ? h + 0x20 : h
  if (h >= 0xd800 && h <= 0xdfff) return h
  let ch = String.fromCharCode(h)
  const low = ch.toLowerCase()
  if (low.length === 1) ch = low
  if (h >= 0x2e80) {
    const s = toSimplified(ch)
    if (s.length === 1) ch = s
  }
  return ch.charCodeAt(0)
}

export function foldUnit(c: number): number {
  if (!known[c]) {
    table[c] = computeUnit(c)
    known[c] = 1
  }
  return table[c] as number
}

/**
 * The matching form of a text: lower case, half width, simplified script — character by
 * character, with the same length as the input.
 */
export function fold(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(foldUnit(s.charCodeAt(i)))
  return out
}
