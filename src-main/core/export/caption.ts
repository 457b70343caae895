/**
 * What each image should train on: the plan's intended caption, composed from the approved
 * captions with the profile. Trigger words first, then the caption text, then the tags, joined
 * with the profile separator.
 *
 * Language: the chosen language (or both); 'auto' is the format's default (HunyuanDiT zh, the
 * others en). When the chosen language is empty for an image, the other language is used (a
 * counted fallback), then the tags; the class tokens (the folder name) only for an image with no
 * text and no tags in any language. A caption that is only whitespace counts as empty.
 *
 * Lines: a multi-line caption is joined into one line (a space between lines) unless the export
 * asks for alternatives, where each line (and with `both`, each language) is one alternative the
 * trainer picks per step; formats without alternatives always join.
 *
 * This module decides the TEXT. How it is written (wildcard escaping, the ||| marker, sd-scripts'
 * tags field, paths) is each writer's business; the validation pass never imports this module.
 */
import {
  defaultExportLanguage,
  EXPORT_ALTERNATIVE_FORMATS,
  type ExportCaptionSource
} from '../../shared/api'
import type { CaptionProfile, ExportFormat, ExportImage } from './types'

export type CaptionSource = ExportCaptionSource

export interface ComposedCaption {
  /** trigger words joined with the separator ('' = none): the fixed head for keep_tokens */
  head: string
  /** caption text per alternative, without triggers and tags; [''] when the caption is tags only */
  texts: string[]
  /** the tags joined with the separator ('' = none) */
  tags: string
  /** the separator the parts are joined with */
  sep: string
  source: CaptionSource
  /** the image's caption had several lines or both languages (joined or alternatives) */
  multi: boolean
}

/** The text the trainer should train on: one string, or several alternatives it picks from. */
export interface IntendedCaption {
  alternatives: string[]
  /** the leading trigger words that must stay first ('' = none) */
  fixed: string
  source: CaptionSource
}

export interface CaptionContext {
  format: ExportFormat
  /** the folder-derived class tokens, used only when the image has nothing else */
  classTokens: string
}

/** The language written first for this format and profile. */
export function primaryLanguage(
  format: ExportFormat,
  language: CaptionProfile['language']
): 'zh' | 'en' | 'both' {
  return language === 'auto' ? defaultExportLanguage(format) : language
}

/** 'alternatives' only where the trainer picks one line per step. */
export function effectiveLines(
  format: ExportFormat,
  lines: CaptionProfile['lines']
): CaptionProfile['lines'] {
  return EXPORT_ALTERNATIVE_FORMATS.has(format) ? lines : 'join'
}

// Whitespace either JavaScript's trim() or Python's str.strip() removes: the trainers strip lines
// with Python, so a caption edge that only one of them treats as whitespace must go here.
// eslint-disable-next-line no-control-regex
const EDGE = /^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/g

export function cleanText(s: string): string {
  return s.replace(EDGE, '')
}

/** The non-empty lines of a caption, each trimmed. */
export function captionLines(text: string | undefined): string[] {
  if (!text) return []
  const out: string[] = []
  for (const line of text.split(/\r\n|\r|\n/)) {
    const t = cleanText(line)
    if (t !== '') out.push(t)
  }
  return out
}

export function composeCaption(
  image: ExportImage,
  p: CaptionProfile,
  ctx: CaptionContext
): ComposedCaption {
  const sep = p.separator
  const head = [...new Set([...p.triggerWords, ...(image.triggerWords ?? [])].map(cleanText))]
    .filter(Boolean)
    .join(sep)
  const zh = captionLines(image.zh)
  const en = captionLines(image.en)
  const allTags = (image.tags ?? []).map(cleanText).filter(Boolean)
  const primary = primaryLanguage(ctx.format, p.language)
  const alternatives = effectiveLines(ctx.format, p.lines) === 'alternatives'

  // Which text: the chosen language(s); the other language when that is empty.
  let parts: string[][] = []
  let source: CaptionSource = 'class'
  if (p.includeText) {
    if (primary === 'both') {
      parts = [zh, en].filter((l) => l.length > 0)
      source = zh.length && en.length ? 'both' : zh.length ? 'zh' : 'en'
    } else {
      const [first, other] = primary === 'zh' ? [zh, en] : [en, zh]
      const otherLang = primary === 'zh' ? 'en' : 'zh'
      if (first.length) [parts, source] = [[first], primary]
      else if (other.length) [parts, source] = [[other], `fallback-${otherLang}`]
    }
  }
  let tags = p.includeTags ? allTags.join(sep) : ''
  if (parts.length === 0) {
    if (tags === '' && allTags.length > 0) {
      // text left out of the profile or missing, tags left out: the tags are all there is
      tags = allTags.join(sep)
    }
    if (tags !== '') source = 'tags'
    else if (!p.includeText && (zh.length || en.length)) {
      // tags asked for but the image has none: its caption text rather than the class tokens
      const lang = zh.length && (primary === 'zh' || !en.length) ? 'zh' : 'en'
      parts = [lang === 'zh' ? zh : en]
      source = lang === primary ? lang : `fallback-${lang}`
    }
  }
  const multi = parts.length > 1 || parts.some((l) => l.length > 1)
  let texts: string[]
  if (parts.length === 0) {
    if (tags !== '') texts = ['']
    else {
      // nothing at all: the class tokens (a trigger word equal to them is not repeated)
      const cls = cleanText(ctx.classTokens)
      const triggers = head === '' ? [] : head.split(sep)
      texts = [triggers.includes(cls) ? '' : cls]
      source = 'class'
    }
  } else if (alternatives) texts = parts.flat()
  else texts = [parts.map((lines) => lines.join(' ')).join(sep)]
  return { head, texts, tags, sep, source, multi }
}

/** The full text of alternative i: triggers, caption text, tags. */
export function fullText(c: ComposedCaption, i: number): string {
  return [c.head, c.texts[i] ?? '', c.tags].filter((s) => s !== '').join(c.sep)
}

export function intendedOf(c: ComposedCaption): IntendedCaption {
  const alternatives = [...new Set(c.texts.map((_, i) => fullText(c, i)))]
  return { alternatives, fixed: c.head, source: c.source }
}

/**
 * Escapes sd-scripts wildcard syntax for enable_wildcard: `{{` and `}}` are literal braces
 * (process_caption swaps them for placeholders before expanding `{a|b}`), and with every brace
 * escaped no `{...|...}` group is left, so `|` stays literal too.
 */
export function escapeWildcard(s: string): string {
  return s.replace(/\{/g, '{{').replace(/\}/g, '}}')
}
