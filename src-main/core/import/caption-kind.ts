/**
 * Tag-list captions (issue 12): kohya / booru captions such as "1girl, solo, long hair, smile"
 * are tags, not prose. On import a caption is split into the text it says and the tags it lists:
 *  - a line that is a tag list becomes tags, in order (trimmed, inner spaces made one, empty and
 *    repeated tags dropped; underscores kept as written: tag hygiene turns them into spaces);
 *  - a line that is prose stays text;
 *  - a line that mixes a sentence and a run of tags ("A girl in a park. 1girl, solo, smile" or
 *    "a photo of a girl, 1girl, solo, long hair") keeps the sentence as text and the run as tags.
 * The raw text is stored as it was either way. Mode 'tags' takes every comma-separated piece as a
 * tag, 'text' keeps everything as text, 'auto' (default) decides per line as above.
 *
 * What makes a piece a tag: at most 5 words and 48 characters, no sentence punctuation inside or
 * at the end, not starting with an article or a verb of a sentence ("a", "the", "is", "there"),
 * and no Han text joined by Chinese punctuation (Chinese prose separates clauses with "，", so a
 * Chinese line is a tag list only with ASCII commas and short pieces). A line is a tag list when
 * it has at least 3 pieces and they are all tags — or 2 when one looks like a booru tag (an
 * underscore, a digit+girl/boy count, "solo", a rating).
 */
import type { CaptionKindMode } from '../../shared/constants'

export type CaptionKind = 'tags' | 'text' | 'mixed' | 'empty'

export interface SplitCaption {
  kind: CaptionKind
  /** what stays caption text ('' when all of it is tags) */
  text: string
  /** the tags, in order, each once */
  tags: string[]
}

const SENTENCE_START =
  /^(?:a|an|the|this|these|there|it|is|are|was|were|he|she|they|we|i|his|her|their|in|on|at|with|photo of|image of|picture of)\b/i
const SENTENCE_PUNCT = /[.!?。！？；;:：]\s|[.!?。！？；]$/
const BOORU = /_|^\d+\+?(?:girl|boy|other)s?$|^(?:solo|rating:|highres|absurdres|masterpiece)/i
const HAN = /\p{Script=Han}/u
const MAX_WORDS = 5
const MAX_CHARS = 48

function isTag(piece: string, chineseCommas: boolean): boolean {
  const p = piece.trim()
  if (p === '' || p.length > MAX_CHARS) return false
  if (SENTENCE_PUNCT.test(p)) return false
  if (HAN.test(p)) return !chineseCommas && p.length <= 12 && !/[，。、]/.test(p)
  if (p.split(/\s+/).length > MAX_WORDS) return false
  return !SENTENCE_START.test(p)
}

/** trimmed, inner runs of spaces made one, empties and repeats (case-blind) dropped */
export function tidyTags(pieces: readonly string[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const raw of pieces) {
    const t = raw.replace(/\s+/g, ' ').trim()
    if (t === '') continue
    const k = t.toLowerCase()
    if (seen.has(k)) continue
    seen.add(k)
    out.push(t)
  }
  return out
}

const SPLIT = /[,，]/

/**
 * One line: all tags, all text, or a sentence followed (or preceded) by a run of tags. Returns the
 * text part and the tags.
 */
function splitLine(line: string): { text: string; tags: string[] } {
  const chineseCommas = line.includes('，')
  const pieces = line.split(SPLIT)
  const tagLike = pieces.map((p) => isTag(p, chineseCommas) || p.trim() === '')
  const nonEmpty = pieces.filter((p) => p.trim() !== '')
  const booru = nonEmpty.some((p) => BOORU.test(p.trim()))
  const need = booru ? 2 : 3
  if (tagLike.every(Boolean)) {
    return nonEmpty.length >= need ? { text: '', tags: tidyTags(pieces) } : { text: line, tags: [] }
  }
  // a sentence and a run of tags after it: the sentence may end with "." before the first tag
  const sentenceEnd = /^(.*[.!?。！？])\s+(\S[^.!?。！？]*)$/su.exec(line)
  if (sentenceEnd) {
    const rest = splitLine(sentenceEnd[2]!)
    if (rest.text === '' && rest.tags.length >= 2)
      return { text: sentenceEnd[1]!.trim(), tags: rest.tags }
  }
  // "a photo of a girl, 1girl, solo, long hair": the trailing run of tag pieces
  let cut = pieces.length
  while (cut > 0 && tagLike[cut - 1]) cut--
  const tail = pieces.slice(cut).filter((p) => p.trim() !== '')
  if (
    tail.length >= need + 1 ||
    (booru && tail.length >= 2 && tail.some((p) => BOORU.test(p.trim())))
  ) {
    const head = pieces.slice(0, cut).join(line.includes('，') && !line.includes(',') ? '，' : ',')
    // only when the tags read as tags, not as the clauses of a sentence ("…, smiling, happy.")
    if (tail.length >= 3 || booru) return { text: head.trim(), tags: tidyTags(tail) }
  }
  return { text: line, tags: [] }
}

/** Splits a caption into text and tags (see the header). */
export function splitCaption(raw: string, mode: CaptionKindMode = 'auto'): SplitCaption {
  const src = raw.trim()
  if (src === '') return { kind: 'empty', text: '', tags: [] }
  if (mode === 'text') return { kind: 'text', text: src, tags: [] }
  if (mode === 'tags') {
    const tags = tidyTags(src.split(/[,，\n]/))
    return { kind: 'tags', text: '', tags }
  }
  const texts: string[] = []
  const tags: string[] = []
  for (const line of src.split('\n')) {
    if (line.trim() === '') continue
    const r = splitLine(line)
    if (r.text.trim() !== '') texts.push(r.text.trim())
    tags.push(...r.tags)
  }
  const allTags = tidyTags(tags)
  if (allTags.length === 0) return { kind: 'text', text: src, tags: [] }
  const text = texts.join('\n')
  return { kind: text === '' ? 'tags' : 'mixed', text, tags: allTags }
}
