/**
 * sd-scripts finetune/clean_captions_and_tags.py, rule for rule (formats.md §4). Python's `\w` is
 * Unicode-aware, so W below is the Unicode letter/number/underscore class.
 */
import { COMMA, SPACE, UNDERSCORE } from './chars'
import type { Rule } from './types'
import { joinTags, splitTags } from './tidy'

const W = String.raw`[\p{L}\p{N}\p{M}_]`
const WD = String.raw`[\p{L}\p{N}\p{M}_\-]`

const PATTERN_HAIR_LENGTH = new RegExp(`, (long|short|medium) hair, `, 'gu')
const PATTERN_HAIR_CUT = new RegExp(`, (bob|hime) cut, `, 'gu')
const PATTERN_HAIR = new RegExp(`, (${WD}+) hair, `, 'gu')
const PATTERN_WORD = new RegExp(`, (${WD}+|hair ornament), `, 'gu')
const PATTERNS_REMOVE_IN_MULTI = [
  PATTERN_HAIR_LENGTH,
  PATTERN_HAIR_CUT,
  new RegExp(`, ${WD}+ eyes, `, 'gu'),
  new RegExp(`, (${WD}+ sleeves|sleeveless), `, 'gu'),
  new RegExp(
    `, (ponytail|braid|ahoge|twintails|${WD}+ bun|single hair bun|single side bun|two side up|two tails|${WD}+ braid|sidelocks), `,
    'gu'
  )
]

function count(re: RegExp, s: string): number {
  return [...s.matchAll(re)].length
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const suffixPatterns = new Map<string, RegExp>()

/** `, ((\w+) )+<word>, `: a multi-word tag ending in the word (compiled once per word) */
function suffixPattern(word: string): RegExp {
  let re = suffixPatterns.get(word)
  if (!re) {
    if (suffixPatterns.size >= 4096) suffixPatterns.clear()
    re = new RegExp(`, ((${W}+) )+${escapeRe(word)}, `, 'u')
    suffixPatterns.set(word, re)
  }
  return re
}

/** clean_tags(image_key, tags) over the ", "-joined tag string. */
export function kohyaCleanTags(input: string): string {
  let tags = input
  tags = tags.replaceAll('^_^', '^@@@^')
  tags = tags.replaceAll('_', ' ')
  tags = tags.replaceAll('^@@@^', '^_^')

  // DeepDanbooru rating: keep what precedes the first ", rating"
  const tokens = tags.split(', rating')
  if (tokens.length > 1) tags = tokens[0] ?? ''

  tags = ', ' + tags.replaceAll(', ', ', , ') + ', '

  if (tags.includes('girls') || tags.includes('boys')) {
    for (const pat of PATTERNS_REMOVE_IN_MULTI) {
      if (count(pat, tags) > 1) tags = tags.replace(pat, '')
    }
    const hairLen = new RegExp(PATTERN_HAIR_LENGTH.source, 'u').exec(tags)
    const org = hairLen?.[0]
    if (org !== undefined) tags = tags.replace(PATTERN_HAIR_LENGTH, ', @@@, ')
    if (count(PATTERN_HAIR, tags) > 1) tags = tags.replace(PATTERN_HAIR, '')
    if (org !== undefined) tags = tags.replaceAll(', @@@, ', org)
  }

  const found = [...tags.matchAll(PATTERN_WORD)].map((m) => m[1] ?? '')
  for (const word of found) {
    // the pattern needs " <word>, " (the last "<W+> " before the word), so test that cheaply first
    if (tags.includes(` ${word}, `) && suffixPattern(word).test(tags)) {
      tags = tags.replaceAll(`, ${word}, `, '')
    }
  }

  tags = tags.replaceAll(', , ', ', ')
  return tags.slice(2, -2)
}

/** CAPTION_REPLACEMENTS in order; each replacement is repeated until nothing changes. */
export const CAPTION_REPLACEMENTS: ReadonlyArray<readonly [string, string]> = [
  ['anime anime', 'anime'],
  ['young ', ''],
  ['anime girl', 'girl'],
  ['cartoon female', 'girl'],
  ['cartoon lady', 'girl'],
  ['cartoon character', 'girl'],
  ['cartoon woman', 'girl'],
  ['cartoon girl', 'girl'],
  ['cartoon women', 'girls'],
  ['anime female', 'girl'],
  ['anime lady', 'girl'],
  ['anime character', 'girl'],
  ['anime woman', 'girl'],
  ['anime women', 'girls'],
  ['lady', 'girl'],
  ['female', 'girl'],
  ['woman', 'girl'],
  ['women', 'girls'],
  ['people', 'girls'],
  ['person', 'girl'],
  ['a cartoon figure', 'a figure'],
  ['a cartoon image', 'an image'],
  ['a cartoon picture', 'a picture'],
  ['an anime cartoon image', 'an image'],
  ['a cartoon anime drawing', 'a drawing'],
  ['a cartoon drawing', 'a drawing'],
  ['girl girl', 'girl']
]

/** a caption without any of these holds none of the replacements' "from" strings */
const MAY_REPLACE = /anime|young |cartoon|lady|female|wom[ae]n|people|person|girl girl/

/**
 * clean_caption: the replacements in order, each repeated until nothing changes. sd-scripts goes
 * through the list once; here the list is gone through again while a pass changed something, so a
 * second run changes nothing. The two differ only where a later replacement makes the text of an
 * earlier one ("young anime girl": "young " goes, then "anime girl" becomes "girl").
 */
export function kohyaCleanCaption(input: string): { text: string; count: number } {
  if (!MAY_REPLACE.test(input)) return { text: input, count: 0 }
  let caption = input
  let n = 0
  for (let pass = 0, before = ''; pass < 8 && before !== caption; pass++) {
    before = caption
    for (const [from, to] of CAPTION_REPLACEMENTS) {
      if (!caption.includes(from)) continue
      for (;;) {
        const parts = caption.split(from)
        if (parts.length === 1) break
        n += parts.length - 1
        const next = parts.join(to)
        if (next === caption) break
        caption = next
      }
    }
  }
  return { text: caption, count: n }
}

/**
 * What clean_tags can act on: an underscore, a rating, several people, or a tag of several words
 * (a single-word tag is dropped only when a longer tag ends with it). Tag lists without any are
 * returned as they are, without the string work.
 */
const MAY_CLEAN = /_|, rating|girls|boys|[^,\s] [^,\s]/

export const kohyaTagsRule: Rule = {
  id: 'kohya-tags',
  label: 'Tags cleaned (kohya clean_tags)',
  fields: ['tags'],
  needs: UNDERSCORE | COMMA | SPACE,
  apply(text) {
    if (text === '') return { text, count: 0 }
    // sd-scripts works on tags joined by ", " exactly ("a,  rating:safe" has no ", rating"); the
    // pipeline's tags come back trimmed, so the rule sees them trimmed the first time too
    const canon = joinTags(splitTags(text))
    if (!MAY_CLEAN.test(canon)) return { text, count: 0 }
    // again on its own (trimmed) result while that changes it: "x, _rating:safe" only becomes
    // "x, rating:safe" in the first round, so a second run would cut it
    let out = canon
    for (let round = 0; round < 4; round++) {
      const next = joinTags(splitTags(kohyaCleanTags(out)))
      const settled = next === out || !MAY_CLEAN.test(next)
      out = next
      if (settled) break
    }
    if (out === canon) return { text, count: 0 }
    const after = new Set(splitTags(out))
    const changed = splitTags(text).filter((t) => !after.has(t)).length
    return { text: out, count: Math.max(changed, 1) }
  }
}

export const kohyaCaptionRule: Rule = {
  id: 'kohya-caption',
  label: 'Caption words replaced (kohya clean_caption)',
  fields: ['zh', 'en'],
  keepsContent: true,
  apply: (text) => kohyaCleanCaption(text)
}
