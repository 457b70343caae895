/** Tag hygiene over the ", "-joined tag string. */
import { CJK_PUNCT, COMMA, ODD_SPACE, SPACE, UNDERSCORE, type Needs } from './chars'
import type { Rule, RuleOptions } from './types'
import { joinTags, splitTags } from './tidy'

const TAGS = ['tags'] as const

// The tag rules of a preset run one after another on the same string while none changes it: the
// last split is kept (read-only) so the string is split once, not once per rule.
let lastText: string | undefined
let lastTags: readonly string[] = []
function split(text: string): readonly string[] {
  if (text !== lastText) {
    lastTags = Object.freeze(splitTags(text))
    lastText = text
  }
  return lastTags
}

/**
 * `mayChange` (optional) is a cheap test on the joined text and the options: when it says no, the
 * rule could not change anything and the tags are not even split.
 */
function tagRule(
  id: string,
  label: string,
  fn: (tags: readonly string[], opts: RuleOptions) => { tags: readonly string[]; count: number },
  mayChange?: (text: string, opts: RuleOptions) => boolean,
  needs?: Needs
): Rule {
  return {
    id,
    label,
    fields: TAGS,
    needs,
    apply(text, _field, opts) {
      if (mayChange && !mayChange(text, opts)) return { text, count: 0 }
      const r = fn(split(text), opts)
      return r.count > 0 ? { text: joinTags(r.tags), count: r.count } : { text, count: 0 }
    }
  }
}

/**
 * The tag string as a tag list should be: tags split at commas (ASCII or full-width) and line
 * breaks, trimmed, inner runs of spaces made one, empty tags dropped, joined by ", ". Scraped or
 * hand-edited lists arrive as "1girl, solo ,long hair,, smile , , blush". Counts the tags fixed and
 * the empty ones dropped.
 */
/** anything not in the form tags joined by ", " have: a text without it is left as it is */
const UNTIDY = /,(?! [^\s,])|^[\s,]|\s$|\s\s|[^\S ]|，| ,/

export const tagTidyRule: Rule = {
  id: 'tags-tidy',
  label: 'Tag separators, spacing and empty tags fixed',
  fields: TAGS,
  needs: COMMA | SPACE | ODD_SPACE | CJK_PUNCT,
  apply(text) {
    if (!UNTIDY.test(text)) return { text, count: 0 }
    let count = 0
    const out: string[] = []
    for (const raw of text.split(/[,，\n]/)) {
      const t = raw.replace(/\s+/g, ' ').trim()
      if (t === '') count++
      else {
        if (t !== raw && raw !== ' ' + t) count++
        out.push(t)
      }
    }
    const joined = joinTags(out)
    if (joined === text) return { text, count: 0 }
    return { text: joined, count: Math.max(count, 1) }
  }
}

/** how tags compare: case, underscores and runs of spaces do not matter */
function key(t: string): string {
  const k = t.trim().toLowerCase()
  return k.includes('_') || /\s\s|[^\S ]/.test(k) ? k.replace(/[_\s]+/g, ' ') : k
}

export const dedupeRule = tagRule(
  'tags-dedupe',
  'Duplicate tags removed',
  (tags) => {
    if (tags.length < 2) return { tags, count: 0 }
    const seen = new Set<string>()
    const out = tags.filter((t) => {
      const k = key(t)
      if (seen.has(k)) return false
      seen.add(k)
      return true
    })
    return { tags: out, count: tags.length - out.length }
  },
  undefined,
  COMMA // two tags at least
)

/** The wd-tagger Space's kaomoji list; kohya also protects any tag of 3 characters or fewer. */
export const KAOMOJI = new Set([
  '0_0',
  '(o)_(o)',
  '+_+',
  '+_-',
  '._.',
  '<o>_<o>',
  '<|>_<|>',
  '=_=',
  '>_<',
  '3_3',
  '6_9',
  '>_o',
  '@_@',
  '^_^',
  'o_o',
  'u_u',
  'x_x',
  '|_|',
  '||_||'
])

export const underscoreRule = tagRule(
  'tags-underscores',
  'Underscores turned into spaces',
  (tags) => {
    let count = 0
    const out = tags.map((t) => {
      if (!t.includes('_') || KAOMOJI.has(t) || t.length <= 3) return t
      count++
      return t.replace(/_+/g, ' ').replace(/\s+/g, ' ').trim()
    })
    return { tags: out, count }
  },
  (text) => text.includes('_'),
  UNDERSCORE
)

// "rating:safe", "rating_explicit", "rating: questionable" and the four WD rating outputs.
const RATING = /^(?:rating\s*[:_ ]\s*\S.*|general|sensitive|questionable|explicit)$/i
const RATING_WORD = /rating|general|sensitive|questionable|explicit/i

export const ratingRule = tagRule(
  'tags-rating',
  'Rating tags dropped',
  (tags) => {
    const out = tags.filter((t) => !RATING.test(t.trim()))
    return { tags: out, count: tags.length - out.length }
  },
  (text) => RATING_WORD.test(text)
)

/**
 * kohya's redundancy rule, generalised from single words to any tag: a tag is dropped when another
 * tag ends with it as whole words ("shirt" beside "white shirt", "hair" beside "long hair",
 * "hair ornament" beside "red hair ornament"). "shirt lift" does not make "shirt" generic.
 */
/** a tag is generic when another ends with it; tags longer than this many words are not tags */
const MAX_ENDING = 8

export const genericRule = tagRule(
  'tags-generic',
  'Generic tags dropped (a specific tag has them)',
  (tags) => {
    const keys = tags.map(key)
    // the whole-word endings of every tag ("hair ornament", "ornament" of "red hair ornament"),
    // the last MAX_ENDING words at most: one pass over the tags, not every pair of them
    const endings = new Set<string>()
    for (const k of keys) {
      let i = k.length
      for (let w = 0; w < MAX_ENDING && (i = k.lastIndexOf(' ', i - 1)) > 0; w++) {
        endings.add(k.slice(i + 1))
      }
    }
    const out = tags.filter((_t, i) => !endings.has(keys[i] ?? ''))
    return { tags: out, count: tags.length - out.length }
  },
  // a tag can only be generic beside a tag of several words (spaces or underscores)
  (text) => /[^,\s][\s_]+[^,\s]/.test(text),
  SPACE | UNDERSCORE
)

function stringList(opts: RuleOptions, name: string): string[] {
  const v = opts[name]
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new TypeError(`option "${name}" must be a list of strings`)
  }
  return v
}

export const blacklistRule = tagRule(
  'tags-blacklist',
  'Blacklisted tags removed',
  (tags, opts) => {
    const bad = new Set(stringList(opts, 'tags').map(key))
    const out = tags.filter((t) => !bad.has(key(t)))
    return { tags: out, count: tags.length - out.length }
  },
  (_text, opts) => stringList(opts, 'tags').length > 0
)

/** Keeps only listed tags; an empty list keeps everything (an unset whitelist deletes nothing). */
export const whitelistRule = tagRule(
  'tags-whitelist',
  'Tags not on the whitelist removed',
  (tags, opts) => {
    const list = stringList(opts, 'tags')
    if (list.length === 0) return { tags, count: 0 }
    const good = new Set(list.map(key))
    const out = tags.filter((t) => good.has(key(t)))
    return { tags: out, count: tags.length - out.length }
  },
  (_text, opts) => stringList(opts, 'tags').length > 0
)

function pairs(opts: RuleOptions): Array<[string, string]> {
  const v = opts.pairs
  if (v === undefined) return []
  const ok =
    Array.isArray(v) &&
    v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'))
  if (!ok) throw new TypeError('option "pairs" must be a list of [from, to] string pairs')
  return v as Array<[string, string]>
}

/**
 * Whole-tag replacements ("from" → "to"; an empty "to" deletes). Replacing a tag with itself is a
 * no-op (BooruDatasetTagManager #100 deleted it), and a replacement that collides with a tag
 * already present merges into it.
 */
export const replaceRule = tagRule(
  'tags-replace',
  'Tags replaced',
  (tags, opts) => {
    const map = new Map<string, string>()
    for (const [from, to] of pairs(opts)) map.set(key(from), to.trim())
    let count = 0
    const out: string[] = []
    const seen = new Set<string>()
    for (const t of tags) {
      const to = map.get(key(t))
      let next = t
      if (to !== undefined && key(to) !== key(t)) {
        count++
        next = to
      }
      if (next === '' || seen.has(key(next))) {
        if (next !== t) continue
      }
      seen.add(key(next))
      out.push(next)
    }
    return { tags: out, count }
  },
  // without pairs nothing is replaced (and nothing merged), so the tags come back as they were
  (_text, opts) => pairs(opts).length > 0
)
