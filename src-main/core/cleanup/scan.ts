/**
 * The web tokeniser: URLs, e-mail addresses, mentions and hashtags found in ONE left-to-right
 * scan, so each character belongs to one token at most. A "#top" inside a URL is part of the URL,
 * the "@site.com" of an e-mail is not a mention, and a rule that removes one kind never cuts into a
 * token of another kind, whichever rules are switched on.
 *
 * Token ends are decided before anything is removed: a hashtag ends at a space or punctuation
 * (`#话题` as on Xiaohongshu and Douyin, `#话题#` as on Weibo, `#话题[话题]#` as Xiaohongshu
 * exports it, `#sunset`), never across a sentence; `C#`, `F#`, `#1 ranked` and `issue #42` are not
 * hashtags. A mention is `@name` (with the `//` of a Weibo repost and the colon after it), or a
 * Reddit `u/name` / `r/name` (not the `r/min` of "3000 r/min"). A URL has a scheme, starts with
 * `www.`, or is a domain with a known top-level domain followed by a path (`pinterest.com/pin/…`,
 * `pic.twitter.com/…`); a bare "Booking.com" in a sentence is left alone.
 *
 * Every pattern is linear in practice: each quantified part is either bounded or followed by a
 * character it cannot contain, and token starts are pinned by look-behinds so a failed start costs
 * one look at the character before it.
 */
import type { Span } from './spans'

export type WebKind = 'url' | 'email' | 'mention' | 'hashtag'

export interface WebToken extends Span {
  kind: WebKind
}

// A URL runs to whitespace, a quote, a bracket of its own, a CJK character or CJK punctuation;
// trailing punctuation that ends a sentence is left outside it.
const NOT_URL = String.raw`\s\p{Script=Han}\u3000-\u303f\uff01-\uff60<>"'“”‘’|`
const URL_BODY = String.raw`[^${NOT_URL}]*[^${NOT_URL}.,;:!?)\]}]`
const TLD =
  'com|net|org|cn|io|co|uk|jp|kr|tw|hk|me|tv|info|biz|app|dev|ly|gl|be|it|de|fr|ru|xyz|top|site|online|art|ai|us|ca|au|in|nz|es|nl|se|ch|eu|edu|gov|cc|to|fm|im|link|pics|photo|photos|gallery|studio|design|blog|shop|store|club|vip|ink|page|so|gg'
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
/** where a URL, an e-mail or a bare domain may start: not inside a word, a path or an address */
const WORD_START = String.raw`(?<![\p{L}\p{N}_.@/\-])`

const URL_SCHEME = String.raw`(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp]):\/\/${URL_BODY}`
const URL_WWW = String.raw`${WORD_START}[Ww][Ww][Ww]\.${URL_BODY}`
const URL_BARE = String.raw`${WORD_START}(?:${LABEL}\.)+(?:${TLD})\/(?:${URL_BODY})?`
const EMAIL = String.raw`(?<![\p{L}\p{N}_.+\-])[A-Za-z0-9_.+\-]+@${LABEL}(?:\.${LABEL})*\.[A-Za-z]{2,}(?![A-Za-z0-9\-])`

// @name: a letter somewhere after any leading digits ("lunch @12:30" is not a mention); Weibo
// names may hold Han, dots and dashes, up to 30 characters. "//@name:" is a Weibo repost.
const HANDLE = String.raw`(?=[\p{N}_]*\p{L})[\p{L}\p{N}_](?:[\p{L}\p{N}\p{M}_.+\-]{0,29}[\p{L}\p{N}\p{M}_+])?`
// "//@name:" (a Weibo repost) and "回复@name:" (a Weibo reply) take their prefix with them
// Han right before the @ is fine ("小红书@某某"): an e-mail's local part is ASCII.
const MENTION = String.raw`(?:\/\/[^\S\n]?|回复|(?<![A-Za-z0-9_.+\-@＠]))[@＠]${HANDLE}[:：]?`
// u/name and r/name, 3-21 characters as Reddit allows; never after a number ("3000 r/min")
const REDDIT = String.raw`(?<![\p{L}\p{N}_/.\-])(?<!\d[^\S\n]?)\/?[ur]\/(?!(?:min|s|h|m|sec)\b)[A-Za-z0-9_][A-Za-z0-9_\-]{2,20}(?![A-Za-z0-9_\-])`

// #话题[话题]# (Xiaohongshu), #话题# (Weibo: no space inside, a letter somewhere), #tag
const HASHTAG_XHS = String.raw`[#＃][^#＃\s\[\]【】]{1,30}\[(?:话题|超话|地点|位置)\][#＃]?`
const HASHTAG_CLOSED = String.raw`(?<![\p{L}\p{N}_&])[#＃](?=[^#＃\s]{0,39}\p{L})[^#＃\s。！？，,；;]{1,40}[#＃]`
const HASHTAG_OPEN = String.raw`(?<![\p{L}\p{N}\p{M}_&#＃\/\\])[#＃](?:[\p{L}_]|\p{N}+(?=\p{Script=Han}|\p{L}{3}))[\p{L}\p{N}\p{M}_+]*(?:-[\p{L}\p{N}\p{M}_+]+)*`

const TOKENS = new RegExp(
  [
    `(?<url>${URL_SCHEME}|${URL_WWW})`,
    `(?<email>${EMAIL})`,
    `(?<bare>${URL_BARE})`,
    `(?<mention>${MENTION}|${REDDIT})`,
    `(?<hashtag>${HASHTAG_XHS}|${HASHTAG_CLOSED}|${HASHTAG_OPEN})`
  ].join('|'),
  'gu'
)

/** Cheap tests: a text that fails one cannot hold a token of that kind. */
export const MAY_HOLD: Readonly<Record<WebKind, RegExp>> = {
  url: /:\/\/|[Ww][Ww][Ww]\.|[A-Za-z0-9]\.[a-z]{2,}\//,
  email: /@/,
  mention: /[@＠]|[ur]\//,
  hashtag: /[#＃]/
}
const MAY_HOLD_ANY = /[@＠#＃/]|[Ww]{3}\./

let lastText: string | undefined
let lastTokens: readonly WebToken[] = []

/** The web tokens of a text, left to right (the last text's tokens are kept for the next rule). */
export function webTokens(text: string): readonly WebToken[] {
  if (text === lastText) return lastTokens
  const out: WebToken[] = []
  if (MAY_HOLD_ANY.test(text)) {
    for (const m of text.matchAll(TOKENS)) {
      const g = m.groups ?? {}
      const kind: WebKind =
        g.url !== undefined || g.bare !== undefined
          ? 'url'
          : g.email !== undefined
            ? 'email'
            : g.mention !== undefined
              ? 'mention'
              : 'hashtag'
      out.push({ kind, start: m.index, end: m.index + m[0].length })
    }
  }
  lastText = text
  lastTokens = out
  return out
}
