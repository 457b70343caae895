/**
 * Web-scrape noise: URLs, e-mail addresses, HTML, hashtags, mentions and emoji. URLs, e-mails,
 * mentions and hashtags come from one tokenisation (scan.ts); every rule removes spans and tidies
 * only the seams they leave (spans.ts).
 */
import type { Rule, RuleResult } from './types'
import { MAY_HOLD, webTokens, type WebKind } from './scan'
import { AMP, AT, DOT, EMOJI as EMOJI_CHARS, HASH, LT, OPEN, SLASH } from './chars'
import { removeUntilStable, type Span } from './spans'

const TEXT = ['zh', 'en'] as const

const NEEDS: Readonly<Record<WebKind, number>> = {
  url: SLASH | DOT,
  email: AT,
  mention: AT | SLASH,
  hashtag: HASH
}

function tokenRule(id: string, label: string, kind: WebKind): Rule {
  const may = MAY_HOLD[kind]
  const find = (text: string): Span[] => webTokens(text).filter((t) => t.kind === kind)
  return {
    id,
    label,
    fields: TEXT,
    needs: NEEDS[kind],
    apply: (text): RuleResult =>
      may.test(text) ? removeUntilStable(text, find) : { text, count: 0 }
  }
}

export const urlRule = tokenRule('url', 'URLs removed', 'url')
export const emailRule = tokenRule('email', 'E-mail addresses removed', 'email')
export const mentionRule = tokenRule(
  'mention',
  'Mentions removed (@name, //@name:, u/name)',
  'mention'
)
export const hashtagRule = tokenRule('hashtag', 'Hashtags removed', 'hashtag')

// An HTML tag: <b>, </p>, <br/>, <img src="…">, <!-- … -->. "a < b > c" is not a tag (the name must
// follow the bracket directly).
const HTML_TAG = /<!--[\s\S]*?-->|<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/g
const BLOCK_TAG = /^<\/?(?:br|p|div|li|tr|h[1-6])\b/i

export const htmlTagRule: Rule = {
  id: 'html-tags',
  label: 'HTML tags removed',
  fields: TEXT,
  needs: LT,
  apply(text) {
    if (!text.includes('<')) return { text, count: 0 }
    // Block-level tags part the words either side; inline ones may sit inside a word.
    const find = (t: string): Span[] =>
      [...t.matchAll(HTML_TAG)].map((m) => ({
        start: m.index,
        end: m.index + m[0].length,
        glue: !BLOCK_TAG.test(m[0])
      }))
    return removeUntilStable(text, find)
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

function decodeOnce(text: string): { text: string; count: number } {
  let count = 0
  const out = text.replace(ENTITY, (m, dec?: string, hex?: string, name?: string) => {
    let ch: string | undefined
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16)
      if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) ch = String.fromCodePoint(cp)
    } else if (name !== undefined) ch = NAMED[name] ?? NAMED[name.toLowerCase()]
    if (ch === undefined) return m
    count++
    return ch
  })
  return { text: out, count }
}

/**
 * Decodes entities, again while decoding made new ones (scraped text is often escaped twice:
 * "&amp;quot;"), so a second run finds nothing. Runs before html-tags: "&lt;b&gt;" is a tag.
 */
export const htmlEntityRule: Rule = {
  id: 'html-entities',
  label: 'HTML entities decoded',
  fields: TEXT,
  needs: AMP,
  keepsContent: true,
  apply(text) {
    if (!text.includes('&')) return { text, count: 0 }
    let s = text
    let count = 0
    for (let pass = 0; pass < 4; pass++) {
      const r = decodeOnce(s)
      if (r.count === 0) break
      s = r.text
      count += r.count
    }
    return count > 0 ? { text: s, count } : { text, count: 0 }
  }
}

// Emoji: pictographs shown as emoji by default, text-default pictographs followed by VS16, flags
// and keycaps, with skin tones and ZWJ sequences. ©, ®, ™, ❤ and digits without VS16 are kept.
// The bracket codes Weibo and Xiaohongshu render as stickers ([哈哈], [doge], [笑哭R]) count too.
const PIC = String.raw`(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F)(?:\p{Emoji_Modifier}|\uFE0F|\u20E3)*`
const STICKERS =
  '哈哈|嘻嘻|偷笑|可爱|爱你|心|赞|good|ok|OK|doge|二哈|允悲|笑cry|微笑|抱抱|泪|哭|怒|酷|鼓掌|太开心|馋嘴|吃瓜|费解|思考|打call|awsl|憧憬|加油|送花花|给你小心心|蜡烛|月亮|太阳|兔子|猪头|浮云|奥特曼|飞吻|害羞|色|挤眼|拜拜|哼|doge脸|并不简单'
const EMOJI = new RegExp(
  String.raw`[\u{1F1E6}-\u{1F1FF}]{2}|[0-9#*]\uFE0F\u20E3|${PIC}(?:\u200D(?:\p{Extended_Pictographic}\uFE0F?)(?:\p{Emoji_Modifier}|\uFE0F)*)*|\[(?:\p{Script=Han}{1,6}R|${STICKERS})\]`,
  'gu'
)
/** an emoji named as what the picture shows ("a 😀 emoji sticker", "❤️图标") is content */
const NAMED_AS_CONTENT =
  /^[^\S\n]?(?:emojis?|icons?|stickers?|symbols?|logos?|表情|图标|贴纸|符号|形状)/u
const MAY_HOLD_EMOJI = /[\u203c\u2049\u2122-\u2b55\u3030\u303d\u3297\u3299\ud83c-\ud83e[]/

export const emojiRule: Rule = {
  id: 'emoji',
  label: 'Emoji removed',
  fields: TEXT,
  needs: EMOJI_CHARS | OPEN,
  apply(text) {
    if (!MAY_HOLD_EMOJI.test(text)) return { text, count: 0 }
    const find = (t: string): Span[] => {
      const out: Span[] = []
      for (const m of t.matchAll(EMOJI)) {
        const end = m.index + m[0].length
        if (m[0][0] !== '[' && NAMED_AS_CONTENT.test(t.slice(end, end + 8))) continue
        out.push({ start: m.index, end })
      }
      return out
    }
    return removeUntilStable(text, find)
  }
}
