/**
 * The bulk dialog's draft (src-renderer/src/components/BulkDraft.ts): every operation becomes the
 * contract's BulkOp, checked against the contract's own schema, or names what is still missing.
 */
import { describe, expect, it } from 'vitest'
import { argSchemas } from '@shared/api'
import { draftToOp, EMPTY_DRAFT, OP_KINDS, type Draft } from '@renderer/components/BulkDraft'

const draft = (patch: Partial<Draft>): Draft => ({ ...EMPTY_DRAFT, ...patch })

/** The op the draft builds, validated by bulk.apply's schema (throws if the core would refuse it). */
function op(d: Draft): unknown {
  const r = draftToOp(d)
  if (!('op' in r)) throw new Error(`draft is missing ${r.missing}`)
  return argSchemas['bulk.apply'].parse({ selection: { ids: [1] }, op: r.op }).op
}
const missing = (d: Draft): string | null => {
  const r = draftToOp(d)
  return 'missing' in r ? r.missing : null
}

describe('draftToOp', () => {
  it('builds a contract-valid op for every kind once its fields are filled', () => {
    const filled: Record<(typeof OP_KINDS)[number], Partial<Draft>> = {
      replace: { find: 'tower' },
      'tags.add': { tags: 'a, b' },
      'tags.remove': { tags: 'a' },
      'tags.rename': { from: 'a', to: 'b' },
      'tags.merge': { tags: 'a, b', to: 'c' },
      'tags.reorder': { tags: 'a' },
      status: {},
      concept: { concept: 'towers' },
      trigger: { word: 'gztower' },
      move: { datasetId: 3 },
      delete: {}
    }
    for (const kind of OP_KINDS) expect(op(draft({ kind, ...filled[kind] }))).toBeTruthy()
  })

  it('replace: needs a find string and a language, refuses a bad regex', () => {
    expect(missing(draft({ kind: 'replace' }))).toBe('review.bulk.needFind')
    expect(missing(draft({ kind: 'replace', find: 'x', langs: [] }))).toBe('review.bulk.needLang')
    expect(missing(draft({ kind: 'replace', find: '(', regex: true }))).toBe('review.bulk.badRegex')
    expect(op(draft({ kind: 'replace', find: '塔', replace: '广州塔', langs: ['zh'] }))).toEqual({
      kind: 'replace',
      find: '塔',
      replace: '广州塔',
      regex: false,
      caseInsensitive: false,
      widthInsensitive: false,
      langs: ['zh'],
      source: 'caption'
    })
  })

  it('tag lists split on ASCII and full-width commas and new lines, trimmed and deduplicated', () => {
    expect(
      op(draft({ kind: 'tags.add', tags: ' sky，tower\nsky ,, night ', position: 'start' }))
    ).toEqual({ kind: 'tags.add', tags: ['sky', 'tower', 'night'], position: 'start' })
    expect(missing(draft({ kind: 'tags.remove', tags: ' , ，' }))).toBe('review.bulk.needTags')
  })

  it('rename and merge need both sides', () => {
    expect(missing(draft({ kind: 'tags.rename', from: 'a' }))).toBe('review.bulk.needFromTo')
    expect(missing(draft({ kind: 'tags.merge', tags: 'a' }))).toBe('review.bulk.needMerge')
    expect(op(draft({ kind: 'tags.rename', from: ' a ', to: ' b ' }))).toEqual({
      kind: 'tags.rename',
      from: 'a',
      to: 'b'
    })
  })

  it('reorder to the front needs tags, alphabetical does not', () => {
    expect(missing(draft({ kind: 'tags.reorder', mode: 'front' }))).toBe('review.bulk.needTags')
    expect(op(draft({ kind: 'tags.reorder', mode: 'alpha' }))).toEqual({
      kind: 'tags.reorder',
      mode: 'alpha'
    })
  })

  it('concept: repeats must be a positive whole number, blank repeats clears them', () => {
    expect(
      missing(draft({ kind: 'concept', setConcept: false, setRepeats: true, repeats: '0' }))
    ).toBe('review.bulk.badRepeats')
    expect(
      missing(draft({ kind: 'concept', setConcept: false, setRepeats: true, repeats: '2.5' }))
    ).toBe('review.bulk.badRepeats')
    expect(missing(draft({ kind: 'concept', setConcept: false, setRepeats: false }))).toBe(
      'review.bulk.needConcept'
    )
    expect(
      op(draft({ kind: 'concept', setConcept: false, setRepeats: true, repeats: '' }))
    ).toEqual({ kind: 'concept', repeats: null })
    expect(
      op(draft({ kind: 'concept', concept: ' towers ', setRepeats: true, repeats: '5' }))
    ).toEqual({ kind: 'concept', concept: 'towers', repeats: 5 })
  })

  it('trigger needs a word and a language; move needs a dataset', () => {
    expect(missing(draft({ kind: 'trigger', word: '  ' }))).toBe('review.bulk.needWord')
    expect(missing(draft({ kind: 'trigger', word: 'w', langs: [] }))).toBe('review.bulk.needLang')
    expect(missing(draft({ kind: 'move' }))).toBe('review.bulk.needDataset')
    expect(op(draft({ kind: 'status', status: 'rejected' }))).toEqual({
      kind: 'status',
      status: 'rejected'
    })
  })
})
