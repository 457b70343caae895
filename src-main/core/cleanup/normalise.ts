/** Text normalisation: whitespace, punctuation width per language, 繁→简, repeated sentences. */
import * as OpenCC from 'opencc-js'
import { zhPunctuation } from '../captions/text/width'
import { ASCII_PUNCT, CJK_PUNCT, COLON, DOT, HAN, ODD_SPACE, SPACE } from './chars'
import type { Field, Rule } from './types'
import { replaceCount } from './tidy'

const TEXT = ['zh', 'en'] as const
const CJK = String.raw`\p{Script=Han}|[\u3000-\u303f\uff01-\uff60]`

function steps(
  text: string,
  list: ReadonlyArray<readonly [RegExp, string]>
): { text: string; count: number } {
  let s = text
  let count = 0
  for (const [re, to] of list) {
    const r = replaceCount(s, re, to)
    if (r.text !== s) count += r.count
    s = r.text
  }
  return s === text ? { text, count: 0 } : { text: s, count: Math.max(count, 1) }
}

const WS_COMMON: ReadonlyArray<readonly [RegExp, string]> = [
  [/\r\n?/g, '\n'],
  [/[\u200B\u2060\uFEFF]/g, ''],
  [/[\t\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' '],
  [/ {2,}/g, ' '],
  [/^ +| +$/gm, ''],
  [/\n{2,}/g, '\n'],
  [/^\n+|\n+$/g, '']
]
// A space between two CJK characters goes, unless it ends a #tag or @handle: "#夜景 一位女孩" keeps
// it, or the hashtag rule could no longer tell where the tag ends.
const WS_ZH: ReadonlyArray<readonly [RegExp, string]> = [
  ...WS_COMMON,
  [new RegExp(`(?<=${CJK})(?<![#＃@＠][^\\s#＃@＠]{0,40}) +(?=${CJK})`, 'gu'), '']
]

// Anything one of the steps above could change (a superset): clean text skips them all. In zh a
// single space may sit between CJK characters, so text with a space gets the full steps.
const WS_ANY =
  /[\r\u200B\u2060\uFEFF\t\u00A0\u2000-\u200A\u202F\u205F\u3000]| {2}|^[ \n]|[ \n]$|\n[ \n]| \n/

export const whitespaceRule: Rule = {
  id: 'whitespace',
  label: 'Whitespace fixed',
  fields: TEXT,
  keepsContent: true,
  needs: SPACE | ODD_SPACE,
  apply: (text, field) =>
    WS_ANY.test(text) || (field === 'zh' && text.includes(' '))
      ? steps(text, field === 'zh' ? WS_ZH : WS_COMMON)
      : { text, count: 0 }
}

const FULL_ALNUM = /[Ａ-Ｚａ-ｚ０-９]/g
const EN_PUNCT: Record<string, string> = {
  '，': ', ',
  '、': ', ',
  '。': '. ',
  '！': '! ',
  '？': '? ',
  '：': ': ',
  '；': '; ',
  '（': ' (',
  '）': ') ',
  '【': ' [',
  '】': '] ',
  '「': '"',
  '」': '"',
  '『': '"',
  '』': '"',
  '～': '~',
  '\u3000': ' '
}
const EN_PUNCT_RE = /\s*[，、。！？：；（）【】「」『』～\u3000]\s*/g

function countDiff(a: string, b: string): number {
  if (a === b) return 0
  if (a.length !== b.length) return 1
  let n = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++
  return n
}

/** zh: Chinese punctuation next to Han characters; en: ASCII punctuation; both: ASCII letters/digits. */
// Characters each field's normalisation can change; text without any is left as it is.
const MAY_CHANGE_ZH = /[Ａ-Ｚａ-ｚ０-９,;:?!().]/
const MAY_CHANGE_EN = /[Ａ-Ｚａ-ｚ０-９，、。！？：；（）【】「」『』～\u3000]/

export function normalisePunctuation(text: string, field: Field): { text: string; count: number } {
  if (!(field === 'zh' ? MAY_CHANGE_ZH : MAY_CHANGE_EN).test(text)) return { text, count: 0 }
  let count = 0
  let s = text.replace(FULL_ALNUM, (c) => {
    count++
    return String.fromCharCode(c.charCodeAt(0) - 0xfee0)
  })
  if (field === 'zh') {
    const z = zhPunctuation(s)
    count += countDiff(s, z)
    s = z
  } else {
    let n = 0
    const e = s.replace(EN_PUNCT_RE, (m) => {
      n++
      const ch = m.trim() || '\u3000'
      return EN_PUNCT[ch] ?? m
    })
    if (n > 0) {
      s = e
        .replace(/ {2,}/g, ' ')
        .replace(/ +([,.!?:;)\]])/g, '$1')
        .replace(/([([]) +/g, '$1')
        .replace(/^ +| +$/gm, '')
      count += n
    }
  }
  return s === text ? { text, count: 0 } : { text: s, count: Math.max(count, 1) }
}

export const punctuationRule: Rule = {
  id: 'punct-width',
  label: 'Punctuation and width normalised',
  fields: TEXT,
  keepsContent: true,
  // zh: ASCII punctuation or full-width letters and digits; en: Chinese punctuation, full width
  needs: { zh: CJK_PUNCT | ASCII_PUNCT | DOT | COLON, en: CJK_PUNCT },
  apply: (text, field) => normalisePunctuation(text, field)
}

let t2s: ((s: string) => string) | undefined
export function toSimplified(text: string): string {
  if (!t2s) {
    const tw = OpenCC.Converter({ from: 'tw', to: 'cn' })
    const hk = OpenCC.Converter({ from: 'hk', to: 'cn' })
    t2s = (s) => hk(tw(s))
  }
  return t2s(text)
}

export const traditionalRule: Rule = {
  id: 't2s',
  label: 'Traditional characters converted to simplified',
  fields: ['zh'],
  optIn: true,
  keepsContent: true,
  needs: HAN,
  apply(text) {
    if (!/\p{Script=Han}/u.test(text)) return { text, count: 0 }
    const out = toSimplified(text)
    return { text: out, count: countDiff(text, out) }
  }
}

// A sentence ends after 。！？； or after . ! ? followed by whitespace (so "3.5", "e.g." mid-word
// and URLs are not split).
const SENTENCE_END = /(?<=[。！？；])|(?<=[.!?])(?=\s)/u
/** a line with a sentence end that is not its last character: only then can a sentence repeat */
const SENTENCE_PUNCT = /[。！？；](?=.)|[.!?][^\S\n]+\S/

function sentenceKey(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[。！？；.!?,，\s]+$/u, '')
    .replace(/\s+/g, ' ')
}

export const repeatedSentenceRule: Rule = {
  id: 'repeated-sentences',
  label: 'Repeated sentences removed',
  fields: TEXT,
  keepsContent: true,
  needs: CJK_PUNCT | DOT | ASCII_PUNCT,
  apply(text) {
    // one sentence per line at most: nothing can repeat
    if (!SENTENCE_PUNCT.test(text)) return { text, count: 0 }
    let count = 0
    const lines = text.split('\n').map((line) => {
      const seen = new Set<string>()
      const kept: string[] = []
      for (const part of line.split(SENTENCE_END)) {
        const k = sentenceKey(part)
        if (k.length >= 2 && seen.has(k)) {
          count++
          continue
        }
        if (k.length >= 2) seen.add(k)
        kept.push(part)
      }
      return kept.join('').trim()
    })
    return count > 0 ? { text: lines.join('\n'), count } : { text, count: 0 }
  }
}
