/**
 * The bulk dialog's draft: every operation's fields in one object, turned into the contract's
 * BulkOp (or the i18n key of what is still missing).
 */
import type { Args, BulkOpKind, Lang, ReviewStatus } from '@shared/api'

export type OpInput = Args<'bulk.apply'>['op']

export const OP_KINDS: BulkOpKind[] = [
  'replace',
  'tags.add',
  'tags.remove',
  'tags.rename',
  'tags.merge',
  'tags.reorder',
  'status',
  'concept',
  'trigger',
  'move',
  'delete'
]

export interface Draft {
  kind: BulkOpKind
  find: string
  replace: string
  regex: boolean
  caseInsensitive: boolean
  widthInsensitive: boolean
  langs: Lang[]
  source: 'caption' | 'raw'
  tags: string
  position: 'start' | 'end'
  from: string
  to: string
  mode: 'front' | 'alpha' | 'score'
  status: ReviewStatus
  concept: string
  setConcept: boolean
  repeats: string
  setRepeats: boolean
  word: string
  triggerAt: 'prepend' | 'append'
  triggerTags: boolean
  datasetId: number | null
}

export const EMPTY_DRAFT: Draft = {
  kind: 'replace',
  find: '',
  replace: '',
  regex: false,
  caseInsensitive: false,
  widthInsensitive: false,
  langs: ['zh', 'en'],
  source: 'caption',
  tags: '',
  position: 'end',
  from: '',
  to: '',
  mode: 'front',
  status: 'approved',
  concept: '',
  setConcept: true,
  repeats: '',
  setRepeats: false,
  word: '',
  triggerAt: 'prepend',
  triggerTags: false,
  datasetId: null
}

const splitTags = (s: string): string[] => [
  ...new Set(
    s
      .split(/[,，\n]/)
      .map((x) => x.trim())
      .filter(Boolean)
  )
]

/** The i18n keys (under review.bulk) of what a draft may still miss. */
export type MissingKey = `review.bulk.${
  | 'needFind'
  | 'needLang'
  | 'badRegex'
  | 'needTags'
  | 'needFromTo'
  | 'needMerge'
  | 'badRepeats'
  | 'needConcept'
  | 'needWord'
  | 'needDataset'}`

/** The op the draft stands for, or the i18n key of what is missing. */
export function draftToOp(d: Draft): { op: OpInput } | { missing: MissingKey } {
  switch (d.kind) {
    case 'replace': {
      if (!d.find) return { missing: 'review.bulk.needFind' }
      if (!d.langs.length) return { missing: 'review.bulk.needLang' }
      if (d.regex) {
        try {
          new RegExp(d.find, 'u')
        } catch {
          return { missing: 'review.bulk.badRegex' }
        }
      }
      return {
        op: {
          kind: 'replace',
          find: d.find,
          replace: d.replace,
          regex: d.regex,
          caseInsensitive: d.caseInsensitive,
          widthInsensitive: d.widthInsensitive,
          langs: d.langs,
          source: d.source
        }
      }
    }
    case 'tags.add':
    case 'tags.remove': {
      const tags = splitTags(d.tags)
      if (!tags.length) return { missing: 'review.bulk.needTags' }
      return d.kind === 'tags.add'
        ? { op: { kind: 'tags.add', tags, position: d.position } }
        : { op: { kind: 'tags.remove', tags } }
    }
    case 'tags.rename':
      if (!d.from.trim() || !d.to.trim()) return { missing: 'review.bulk.needFromTo' }
      return { op: { kind: 'tags.rename', from: d.from.trim(), to: d.to.trim() } }
    case 'tags.merge': {
      const tags = splitTags(d.tags)
      if (!tags.length || !d.to.trim()) return { missing: 'review.bulk.needMerge' }
      return { op: { kind: 'tags.merge', tags, into: d.to.trim() } }
    }
    case 'tags.reorder': {
      const tags = splitTags(d.tags)
      if (d.mode === 'front' && !tags.length) return { missing: 'review.bulk.needTags' }
      return { op: { kind: 'tags.reorder', mode: d.mode, ...(d.mode === 'front' ? { tags } : {}) } }
    }
    case 'status':
      return { op: { kind: 'status', status: d.status } }
    case 'concept': {
      const repeats = d.repeats.trim() === '' ? null : Number(d.repeats)
      if (d.setRepeats && repeats !== null && (!Number.isInteger(repeats) || repeats < 1))
        return { missing: 'review.bulk.badRepeats' }
      if (!d.setConcept && !d.setRepeats) return { missing: 'review.bulk.needConcept' }
      return {
        op: {
          kind: 'concept',
          ...(d.setConcept ? { concept: d.concept.trim() } : {}),
          ...(d.setRepeats ? { repeats } : {})
        }
      }
    }
    case 'trigger':
      if (!d.word.trim()) return { missing: 'review.bulk.needWord' }
      if (!d.langs.length) return { missing: 'review.bulk.needLang' }
      return {
        op: {
          kind: 'trigger',
          word: d.word.trim(),
          position: d.triggerAt,
          langs: d.langs,
          tags: d.triggerTags
        }
      }
    case 'move':
      if (d.datasetId == null) return { missing: 'review.bulk.needDataset' }
      return { op: { kind: 'move', datasetId: d.datasetId } }
    case 'delete':
      return { op: { kind: 'delete' } }
  }
}
