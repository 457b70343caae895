import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  budgetReport,
  countTokens,
  cutPoint,
  estimateTokens,
  loadTokenizer
} from '../../src-main/core/captions/text/tokens'

const TOKENIZER = path.join(
  import.meta.dirname,
  '..',
  'fixtures',
  'glossary',
  'tokenizer',
  'tokenizer.json'
)

describe('token estimates', () => {
  it('counts Han characters, Latin runs, digits and symbols, plus the specials', () => {
    expect(estimateTokens('', 'clip')).toBe(2)
    expect(estimateTokens('', 'mt5')).toBe(1)
    expect(estimateTokens('一只猫，坐着。', 'clip')).toBe(2 + 7)
    expect(estimateTokens('a cat', 'clip')).toBe(2 + 2)
    expect(estimateTokens('extraordinarily', 'clip')).toBe(2 + 2)
    expect(estimateTokens('extraordinarily', 'mt5')).toBe(1 + 3)
    expect(estimateTokens('3.5米', 'mt5')).toBe(1 + 4)
  })

  it('finds where CLIP (77) and mT5 (256) cut a caption', () => {
    const zh = '猫'.repeat(80)
    expect(cutPoint(zh, 77, 'clip')).toBe(75)
    expect(cutPoint(zh, 256, 'mt5')).toBeNull()
    const r = budgetReport(zh, 'clip')
    expect(r).toEqual({
      encoder: 'clip',
      tokens: 82,
      budget: 77,
      over: true,
      cut: 75,
      exact: false
    })
    const en = 'word '.repeat(100)
    expect(cutPoint(en, 77, 'clip')).toBe(75 * 5)
  })
})

describe('real tokenizers from a tokenizer.json, offline', () => {
  it('counts with transformers.js (special tokens included)', async () => {
    expect(await countTokens(TOKENIZER, '一只猫')).toBe(5)
    expect(await countTokens(TOKENIZER, 'Canton cats')).toBe(5) // [CLS] canton cat ##s [SEP]
    expect(await countTokens(TOKENIZER, '广州塔，狗。')).toBe(8) // 狗 is [UNK]
    const c = await loadTokenizer(TOKENIZER)
    expect(c.exact).toBe(true)
    expect(cutPoint('一只猫'.repeat(10), 10, c)).toBe(8)
    expect(cutPoint('一只猫', 10, c)).toBeNull()
    expect(budgetReport('猫'.repeat(80), 'clip', c)).toMatchObject({
      tokens: 82,
      cut: 75,
      exact: true
    })
  })

  it('reports a missing or broken tokenizer file clearly', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-tok-'))
    try {
      await expect(countTokens(path.join(dir, 'nope.json'), 'x')).rejects.toThrow(
        /nope\.json: cannot read tokenizer/
      )
      await writeFile(path.join(dir, 'tokenizer.json'), '{not json')
      await expect(countTokens(path.join(dir, 'tokenizer.json'), 'x')).rejects.toThrow(
        /not valid JSON/
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
