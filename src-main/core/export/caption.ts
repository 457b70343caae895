/**
 * Caption composition per profile: trigger words first, then the caption text, then the tags,
 * joined with the profile separator. One output line per language (and per line of a multi-line
 * text): kohya reads only the first line unless enable_wildcard is on, OneTrainer and SimpleTuner
 * treat every line as a variant.
 */
import type { CaptionProfile, ExportImage } from './types'

export interface ComposedCaption {
  /** the lines, none empty */
  lines: string[]
  /** trigger words that were fixed in front (for keep_tokens) */
  fixed: number
  /** the caption text without the tags, per line (fine-tune metadata keeps tags apart) */
  textLines: string[]
  tags: string
}

function textLines(image: ExportImage, p: CaptionProfile): string[] {
  if (!p.includeText) return []
  const langs = p.language === 'both' ? (['zh', 'en'] as const) : [p.language]
  const out: string[] = []
  for (const l of langs) {
    for (const line of (image[l] ?? '').split(/\r\n|\r|\n/)) {
      const t = line.trim()
      if (t !== '') out.push(t)
    }
  }
  return out
}

/** Escapes kohya wildcard syntax: with enable_wildcard, "{a|b}" is a random choice. */
export function escapeWildcard(s: string): string {
  return s.replace(/\{/g, '{{').replace(/\}/g, '}}')
}

export function composeCaption(image: ExportImage, p: CaptionProfile): ComposedCaption {
  const triggers = [...p.triggerWords, ...(image.triggerWords ?? [])]
    .map((t) => t.trim())
    .filter(Boolean)
  const uniqueTriggers = [...new Set(triggers)]
  const tagList = p.includeTags ? (image.tags ?? []).map((t) => t.trim()).filter(Boolean) : []
  const tags = tagList.join(p.separator)
  const texts = textLines(image, p)
  const body = texts.length > 0 ? texts : tags !== '' || uniqueTriggers.length > 0 ? [''] : []
  const lines = body
    .map((text) => {
      const rest = [text, tags].filter((s) => s !== '').join(p.separator)
      const head = uniqueTriggers.join(p.separator)
      if (p.keepTokens === 'separator' && head !== '') {
        return rest === '' ? head : `${head} ${p.keepTokensSeparator} ${rest}`
      }
      return [head, rest].filter((s) => s !== '').join(p.separator)
    })
    .filter((l) => l !== '')
  return { lines, fixed: uniqueTriggers.length, textLines: texts, tags }
}
