/** Web-scrape noise: URLs, e-mail addresses, HTML, hashtags, @mentions and emoji. */
import type { Rule } from './types'
import { removeAll, replaceCount, tidy } from './tidy'

const TEXT = ['zh', 'en'] as const

// A URL runs to whitespace, a CJK character or CJK punctuation; trailing ASCII punctuation that
// ends a sentence is left outside it.
const URL_BODY = String.raw`[^\s\p{Script=Han}\u3000-\u303f\uff01-\uff60<>"']*[^\s\p{Script=Han}\u3000-\u303f\uff01-\uff60<>"'.,;:!?)\]]`
const URL = new RegExp(String.raw`\b(?:https?:\/\/|ftp:\/\/|www\.)${URL_BODY}`, 'giu')
const EMAIL = /(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g

export const urlRule: Rule = {
  id: 'url',
  label: 'URLs removed',
  fields: TEXT,
  apply: (text) => removeAll(text, [URL])
}

export const emailRule: Rule = {
  id: 'email',
  label: 'E-mail addresses removed',
  fields: TEXT,
  apply: (text) => removeAll(text, [EMAIL])
}

// An HTML tag: <b>, </p>, <br/>, <img src="…">, <!-- … -->. "a < b > c" is not a tag (the name must
// follow the bracket directly).
const HTML_TAG = /<!--[\s\S]*?-->|<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/g
const BLOCK_TAG = /^<\/?(?:br|p|div|li|tr|h[1-6])\b/i

export const htmlTagRule: Rule = {
  id: 'html-tags',
  label: 'HTML tags removed',
  fields: TEXT,
  apply(text) {
    // Block-level tags become a space so the words either side stay apart.
    const r = replaceCount(text, HTML_TAG, (m) => (BLOCK_TAG.test(m) ? ' ' : ''))
    return r.count > 0 ? { text: tidy(r.text), count: r.count } : { text, count: 0 }
  }
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
  times: '×',
  deg: '°',
  yen: '¥',
  euro: '€',
  pound: '£'
}
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,9}));/g

export const htmlEntityRule: Rule = {
  id: 'html-entities',
  label: 'HTML entities decoded',
  fields: TEXT,
  apply(text) {
    let count = 0
    const out = text.replace(ENTITY, (m, dec?: string, hex?: string, name?: string) => {
      let ch: string | undefined
      if (dec !== undefined || hex !== undefined) {
        const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16)
        if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff))
          ch = String.fromCodePoint(cp)
      } else if (name !== undefined) ch = NAMED[name] ?? NAMED[name.toLowerCase()]
      if (ch === undefined) return m
      count++
      return ch
    })
    return { text: out, count }
  }
}

// #tag at a word start (not C#, not "#1"); Weibo-style #话题# as a whole.
const HASHTAG_ZH = /#[^#\s]{1,40}#/gu
const HASHTAG = /(?<![\p{L}\p{N}_&#])[#＃][\p{L}_][\p{L}\p{N}\p{M}_]*/gu

export const hashtagRule: Rule = {
  id: 'hashtag',
  label: 'Hashtags removed',
  fields: TEXT,
  apply: (text) => removeAll(text, [HASHTAG_ZH, HASHTAG])
}

// @name at a word start (an e-mail has a letter before the @). A Chinese handle ends at a space,
// punctuation or a colon, as on Weibo.
const MENTION = /(?<![\p{L}\p{N}_.+-])[@＠][\p{L}\p{N}_][\p{L}\p{N}\p{M}_.-]*(?<![.-])[:：]?/gu

export const mentionRule: Rule = {
  id: 'mention',
  label: '@mentions removed',
  fields: TEXT,
  apply: (text) => removeAll(text, [MENTION])
}

// Emoji: pictographs shown as emoji by default, text-default pictographs followed by VS16, flags
// and keycaps, with skin tones and ZWJ sequences. ©, ®, ™ and digits without VS16 are kept.
const PIC = String.raw`(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F)(?:\p{Emoji_Modifier}|\uFE0F|\u20E3)*`
const EMOJI = new RegExp(
  String.raw`[\u{1F1E6}-\u{1F1FF}]{2}|[0-9#*]\uFE0F\u20E3|${PIC}(?:\u200D(?:\p{Extended_Pictographic}\uFE0F?)(?:\p{Emoji_Modifier}|\uFE0F)*)*`,
  'gu'
)

export const emojiRule: Rule = {
  id: 'emoji',
  label: 'Emoji removed',
  fields: TEXT,
  apply: (text) => removeAll(text, [EMOJI])
}
