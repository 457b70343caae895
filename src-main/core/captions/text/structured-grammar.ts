/**
 * The canonical paragraph grammar of a structured caption, per language. One description drives
 * both `render` and the strict parser, so the two cannot drift apart.
 *
 * Order (Hunyuan-Captioner's observed order, plus Glossa's two extensions):
 *   subject, appearance, action  → one sentence of clauses
 *   background                   → its own sentence
 *   lighting                     → its own sentence (extension; scene content, so before the tail)
 *   text (in-image text)         → its own sentence, quoted (extension; scene content)
 *   composition, style, culture, atmosphere → one closing sentence of formula clauses
 * Lighting and in-image text come before the composition/style tail because they describe what is
 * in the picture: the first ~75 tokens are all CLIP sees, so content goes first, form last.
 */
import type { CaptionFieldName, Lang } from '../../../shared/api'
import { ZH_SENTENCE_PRES, zhSentencePre } from '../../../shared/caption-joins'

/** A Chinese sentence whose lead-in depends on the value ("背景是…" / "背景中，…是…"). */
function zhSentence(field: CaptionFieldName, pre: string): Slot {
  return {
    field,
    pre,
    post: '。',
    preFor: (v) => zhSentencePre(field, v) ?? pre,
    pres: ZH_SENTENCE_PRES[field] ?? [pre]
  }
}

export interface Slot {
  field: CaptionFieldName
  pre: string
  post: string
  /**
   * the lead-in chosen by the value (../../../shared/caption-joins.ts), one of `pres`; absent:
   * always `pre`
   */
  preFor?: (v: string) => string
  pres?: readonly string[]
}

export interface Grammar {
  lang: Lang
  /** Joins subject/appearance/action and the tail clauses. */
  clauseSep: string
  /** Ends the subject sentence. */
  end: string
  /** Between sentences. */
  sentenceJoin: string
  /** Sentences with a fixed prefix and suffix, in order. */
  sentences: Slot[]
  /** The closing sentence: `tailPre` + clauses joined by `clauseSep` + `end`. */
  tailPre: string
  tail: Slot[]
}

export const GRAMMARS: Record<Lang, Grammar> = {
  zh: {
    lang: 'zh',
    clauseSep: '，',
    end: '。',
    sentenceJoin: '',
    sentences: [
      zhSentence('background', '背景是'),
      zhSentence('lighting', '光线为'),
      { field: 'text', pre: '画面中的文字为“', post: '”。' }
    ],
    tailPre: '画面',
    tail: [
      { field: 'composition', pre: '采用', post: '构图' },
      { field: 'style', pre: '呈现出', post: '风格' },
      { field: 'culture', pre: '蕴含了', post: '文化' },
      { field: 'atmosphere', pre: '展现了', post: '氛围' }
    ]
  },
  en: {
    lang: 'en',
    clauseSep: ', ',
    end: '.',
    sentenceJoin: ' ',
    sentences: [
      { field: 'background', pre: 'The background is ', post: '.' },
      { field: 'lighting', pre: 'The lighting is ', post: '.' },
      { field: 'text', pre: 'The text in the image reads "', post: '".' }
    ],
    tailPre: 'The image ',
    tail: [
      { field: 'composition', pre: 'adopts ', post: ' composition' },
      { field: 'style', pre: 'shows ', post: ' style' },
      { field: 'culture', pre: 'contains ', post: ' culture' },
      { field: 'atmosphere', pre: 'creates ', post: ' atmosphere' }
    ]
  }
}

/** The fields rendered together in the first sentence. */
export const HEAD_FIELDS = ['subject', 'appearance', 'action'] as const

/** Rank of each field in rendering order; the lenient parser only moves forward through it. */
export const FIELD_RANK: Record<CaptionFieldName, number> = {
  subject: 0,
  appearance: 1,
  action: 2,
  background: 3,
  lighting: 4,
  text: 5,
  composition: 6,
  style: 7,
  culture: 8,
  atmosphere: 9
}

const TRAILING = /[\s。．.，,、；;：:]+$/u

/**
 * How a field value is written into the paragraph: trimmed, without trailing separators (the
 * grammar adds its own). Empty after that means "absent".
 */
export function normValue(v: string | undefined, field?: CaptionFieldName): string {
  if (!v) return ''
  // In-image text is quoted verbatim, so only surrounding whitespace goes.
  return field === 'text' ? v.trim() : v.trim().replace(TRAILING, '')
}
