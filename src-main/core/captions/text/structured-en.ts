/**
 * English clause patterns for the lenient parser: Glossa's canonical formulas ("The background is
 * …", "The image adopts … composition, shows … style, contains … culture, creates … atmosphere")
 * plus the phrasings seen in Hunyuan-Captioner's English outputs ("the photo adopts close-up
 * composition", "showing anime style", "containing anime culture", "creating a beautiful
 * atmosphere"). Patterns are anchored to whole clauses and case-insensitive.
 */
import { FIELD_RANK } from './structured-grammar'
import { splitOutsideQuotes, type ClauseHit } from './structured-zh'
import type { CaptionFieldName } from '../../../shared/api'

const WHO = '(?:(?:the|this) (?:photo|image|picture|painting|illustration|scene) |it )?'
const AND = '(?:and |while )?'

const PATTERNS: [CaptionFieldName, RegExp][] = [
  ['background', /^(?:the|its) background (?:is|shows|features|consists of) (.+)$/iu],
  ['background', /^against (?:a|an|the) (.+?) background$/iu],
  ['lighting', /^the lighting is (.+)$/iu],
  ['text', /^the text in the image reads "(.+)"$/iu],
  [
    'composition',
    new RegExp(`^${AND}${WHO}(?:adopts|adopting|uses|using|has|with) (.+?) composition$`, 'iu')
  ],
  ['composition', /^the composition is (.+)$/iu],
  ['style', new RegExp(`^${AND}${WHO}(?:shows|showing|presents|presenting|in) (.+?) style$`, 'iu')],
  ['style', /^the style is (.+)$/iu],
  [
    'culture',
    new RegExp(
      `^${AND}${WHO}(?:contains|containing|reflects|reflecting|embodies|embodying) (.+?) culture$`,
      'iu'
    )
  ],
  [
    'atmosphere',
    new RegExp(
      `^${AND}${WHO}(?:creates|creating|evokes|evoking|conveys|conveying) (.+?) (?:atmosphere|mood)$`,
      'iu'
    )
  ]
]

const BARE_STYLE = /^((?:\S+ ){0,3}\S+) style$/iu

export function classifyClauseEn(clause: string, rank: number): ClauseHit | null {
  for (const [field, re] of PATTERNS) {
    const m = re.exec(clause)
    if (m?.[1]) return { field, value: m[1] }
  }
  if (rank >= FIELD_RANK.composition) {
    const m = BARE_STYLE.exec(clause)
    if (m?.[1]) return { field: 'style', value: m[1] }
  }
  return null
}

const APPEARANCE =
  /^(?:with|wearing|dressed|clad|in an? |having|has|her |his |their |its |whose |long |short |blond|dark-haired)/iu
const ACTION =
  /^(?:is |are |standing|sitting|lying|walking|running|jumping|flying|holding|looking|smiling|playing|eating|drinking|riding|leaning|parked|surrounded|placed|\w+ing\b)/iu

export function headKindEn(clause: string): 'appearance' | 'action' | null {
  if (APPEARANCE.test(clause)) return 'appearance'
  if (ACTION.test(clause)) return 'action'
  return null
}

/** Clauses of an English paragraph: split at , ; and sentence ends (". ") outside quotes. */
export function clausesEn(text: string): string[] {
  return splitOutsideQuotes(text, (ch, next) => {
    if (ch === ',' || ch === ';' || ch === '\n') return true
    return (ch === '.' || ch === '!' || ch === '?') && (next === '' || /\s/u.test(next))
  })
}
