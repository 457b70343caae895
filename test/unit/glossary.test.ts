import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CaptionFields } from '../../src-main/shared/api'
import {
  applyGlossary,
  compileGlossary,
  fold,
  GlossaryEntry,
  hunyuanInsertPrompt,
  importGlossaryCsv,
  knowledgeFor,
  lintImage,
  toSimplified,
  toTraditional,
  type ApplyImage,
  type GlossaryEntryInput,
  type LintRule
} from '../../src-main/core/glossary'
import { toFullWidth, toHalfWidth, zhPunctuation } from '../../src-main/core/captions/text/width'

const FIX = path.join(import.meta.dirname, '..', 'fixtures', 'glossary')

interface FixtureCaption extends ApplyImage {
  expect: { zh: string | null; en: string | null }
}

function loadGlossary(): GlossaryEntry[] {
  const r = importGlossaryCsv(readFileSync(path.join(FIX, 'landmarks.csv')), 'landmarks.csv')
  expect(r.errors).toEqual([])
  return r.entries
}
const captions = JSON.parse(
  readFileSync(path.join(FIX, 'captions.json'), 'utf8')
) as FixtureCaption[]

describe('applying a 廣州塔/广州塔 glossary to 50 fixture captions', () => {
  const entries = loadGlossary()
  const cg = compileGlossary(entries)

  it('changes exactly the expected images, with the expected texts', () => {
    expect(captions).toHaveLength(50)
    const proposals = applyGlossary(cg, captions)
    const byId = new Map(proposals.map((p) => [p.imageId, p]))
    const expectedChanged = captions.filter((c) => c.expect.zh || c.expect.en).map((c) => c.id)
    expect(proposals.map((p) => p.imageId).sort()).toEqual(expectedChanged.sort())
    for (const c of captions) {
      const p = byId.get(c.id)
      for (const lang of ['zh', 'en'] as const) {
        const after = p?.[lang]?.after ?? c[lang]
        expect({ id: c.id, lang, after }).toEqual({
          id: c.id,
          lang,
          after: c.expect[lang] ?? c[lang]
        })
        if (p?.[lang]) expect(p[lang]?.before).toBe(c[lang])
      }
    }
  })

  it('gives reasons naming the entry and the trigger', () => {
    const p = applyGlossary(cg, captions)
    const c15 = p.find((x) => x.imageId === 'c15')
    expect(c15?.reasons).toContainEqual(
      expect.objectContaining({
        entryId: '小明',
        action: 'prepend',
        lang: 'zh',
        triggers: [{ kind: 'path', value: 'characters/xiaoming/**' }]
      })
    )
    const c09 = p.find((x) => x.imageId === 'c09')
    expect(c09?.reasons).toContainEqual(
      expect.objectContaining({
        entryId: '宫保鸡丁',
        action: 'replace',
        detail: '宮保雞丁 → 宫保鸡丁'
      })
    )
    expect(c09?.reasons[0]?.triggers).toContainEqual({ kind: 'tag', value: 'kung_pao_chicken' })
    const c21 = p.find((x) => x.imageId === 'c21')
    expect(c21?.reasons[0]?.triggers).toEqual([{ kind: 'regex', value: '/wuhan|武汉/i' }])
  })

  it('diffs zh by character and en by word', () => {
    const p = applyGlossary(cg, captions).find((x) => x.imageId === 'c01')
    expect(p?.zh?.diff).toEqual([
      { op: '=', text: '远处的' },
      { op: '-', text: '廣' },
      { op: '+', text: '广' },
      { op: '=', text: '州塔在夜色中闪耀。' }
    ])
    expect(p?.en?.diff).toEqual([
      { op: '=', text: 'The ' },
      { op: '-', text: 'canton' },
      { op: '+', text: 'Canton' },
      { op: '=', text: ' ' },
      { op: '-', text: 'tower' },
      { op: '+', text: 'Tower' },
      { op: '=', text: ' glows at night.' }
    ])
  })

  it('keeps fields in step when the caption has them', () => {
    const p = applyGlossary(cg, captions).find((x) => x.imageId === 'c11')
    expect(p?.zh?.fields).toEqual({ subject: '宫保鸡丁，一盘鸡肉', background: '桌子' })
    expect(p?.en?.fields).toEqual({
      subject: 'Kung Pao Chicken, a plate of chicken',
      background: 'a table'
    })
  })

  it('a second apply changes nothing', () => {
    const first = applyGlossary(cg, captions)
    const byId = new Map(first.map((p) => [p.imageId, p]))
    const applied: ApplyImage[] = captions.map((c) => {
      const p = byId.get(c.id)
      const fields: { zh?: CaptionFields; en?: CaptionFields } = {}
      if (p?.zh?.fields) fields.zh = p.zh.fields
      if (p?.en?.fields) fields.en = p.en.fields
      return {
        ...c,
        zh: p?.zh?.after ?? c.zh,
        en: p?.en?.after ?? c.en,
        fields: p ? fields : c.fields
      }
    })
    expect(applyGlossary(cg, applied)).toEqual([])
  })

  it('leaves every other character of the caption byte for byte', () => {
    const img: ApplyImage = {
      id: 'x',
      relPath: 'x.png',
      tags: [],
      zh: '  前面\t有廣州塔🐱，以及ＡＢＣ和\u3000全角空格。\n第二行小蠻腰！',
      en: 'Look:  the CANTON   tower?  No — the Canton Tower… ｃａｎｔｏｎ ｔｏｗｅｒ!'
    }
    const [p] = applyGlossary(entries, [img])
    expect(p?.zh?.after).toBe('  前面\t有广州塔🐱，以及ＡＢＣ和\u3000全角空格。\n第二行广州塔！')
    // "CANTON   tower" (three spaces) is not the alias "canton tower": spacing is not folded.
    expect(p?.en?.after).toBe('Look:  the CANTON   tower?  No — the Canton Tower… Canton Tower!')
  })
})

describe('knowledge for generative captioning', () => {
  const entries = loadGlossary()

  it('builds the insert_content string and prompt from the matched entries', () => {
    const k = knowledgeFor(entries, {
      id: 'k1',
      relPath: 'food/1.png',
      tags: ['kung_pao_chicken'],
      zh: '夜晚的小蛮腰',
      en: null
    })
    expect(k.content).toBe('广州塔、宫保鸡丁')
    expect(k.hunyuanPrompt).toBe('根据提示词“广州塔、宫保鸡丁”,描述这张图片')
    expect(k.hunyuanPrompt).toBe(hunyuanInsertPrompt('广州塔、宫保鸡丁'))
    expect(k.hunyuanPrompt?.includes('\u201c') && k.hunyuanPrompt.includes('\u201d,')).toBe(true)
    expect(k.context).toContain('- Canton Tower / 广州塔 (landmark)')
    expect(k.context).toContain(
      'facts: A 600 m TV tower in Guangzhou, China / 广州的电视塔，高600米'
    )
    expect(k.items.map((i) => i.triggers[0]?.kind)).toEqual(['mention', 'tag'])
  })

  it('gives nothing when no entry applies, and lists traits and triggers for characters', () => {
    const none = knowledgeFor(entries, {
      id: 'k2',
      relPath: 'a.png',
      tags: [],
      zh: '一只猫',
      en: 'a cat'
    })
    expect(none).toMatchObject({ content: '', hunyuanPrompt: null, context: '', items: [] })
    const ch = knowledgeFor(entries, {
      id: 'k3',
      relPath: 'characters/xiaoming/9.png',
      tags: [],
      zh: null,
      en: null
    })
    expect(ch.content).toBe('小明')
    expect(ch.context).toContain('begin the caption with: xiaoming_style')
    expect(ch.context).toContain('do not describe these fixed traits: 红色围巾, red scarf')
  })
})

describe('lint rules', () => {
  const cg = compileGlossary(loadGlossary())
  const rules = (zh: string | null, en: string | null, relPath = 'a/b.png'): LintRule[] =>
    lintImage(cg, { id: 'l', relPath, tags: [], zh, en }).map((i) => i.rule)

  it('alias-without-name', () => {
    expect(rules('小蛮腰很高。', null)).toEqual(['alias-without-name'])
    const [issue] = lintImage(cg, {
      id: 'l',
      relPath: 'a',
      tags: [],
      zh: '夜晚的小蛮腰很高。',
      en: null
    })
    expect(issue).toMatchObject({ start: 3, end: 6, entryId: '广州塔' })
    expect(rules('广州塔很高，小蛮腰很美。', null)).toEqual([])
    expect(rules('广州塔很高。', 'The Canton Tower.')).toEqual([])
  })

  it('trigger-missing', () => {
    expect(rules('一个男孩。', null, 'characters/xiaoming/1.png')).toEqual(['trigger-missing'])
    expect(
      rules('xiaoming_style，一个男孩。', 'XIAOMING_STYLE, a boy.', 'characters/xiaoming/1.png')
    ).toEqual([])
    expect(rules('一个男孩。', null, 'characters/other/1.png')).toEqual([])
  })

  it('traits-restated', () => {
    const p = 'characters/xiaoming/1.png'
    expect(rules('xiaoming_style，戴着紅色圍巾的男孩。', null, p)).toEqual(['traits-restated'])
    expect(rules(null, 'xiaoming_style, a boy with a Red Scarf.', p)).toEqual(['traits-restated'])
    expect(
      rules('xiaoming_style，一个男孩。', 'xiaoming_style, a boy with a red scarfs.', p)
    ).toEqual([])
    expect(rules('戴着红色围巾的男孩。', null, 'other/1.png')).toEqual([])
  })

  it('mixed-language', () => {
    expect(rules('一只猫，this is a very cute cat。', null)).toEqual(['mixed-language'])
    expect(rules(null, 'A cat. 这是一只非常可爱的猫。')).toEqual(['mixed-language'])
    expect(rules('一只猫在Canton Tower前。', 'A cat near 广州塔 at night.')).toEqual([])
  })

  it('over-budget, with the cut point', () => {
    const long = '猫'.repeat(100)
    const issues = lintImage(null, { id: 'l', relPath: 'a', tags: [], zh: long, en: null })
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ rule: 'over-budget', start: 75, end: 100 })
    expect(issues[0]?.message).toContain('estimate')
    expect(
      lintImage(null, { id: 'l', relPath: 'a', tags: [], zh: '猫'.repeat(75), en: null })
    ).toEqual([])
    const huge = lintImage(null, {
      id: 'l',
      relPath: 'a',
      tags: [],
      zh: '猫'.repeat(300),
      en: null
    })
    expect(huge.map((i) => [i.rule, i.start])).toEqual([
      ['over-budget', 75],
      ['over-budget', 255]
    ])
  })
})

describe('matching and conversion helpers', () => {
  it('compiles all aliases into one automaton and folds case, width and script', () => {
    const e: GlossaryEntryInput = {
      id: 't',
      name: { zh: '广州塔', en: 'Canton Tower' },
      aliases: { zh: ['小蛮腰'], en: [] }
    }
    const cg = compileGlossary([GlossaryEntry.parse(e)])
    expect(cg.patterns).toHaveLength(3)
    expect(cg.automaton.size).toBeGreaterThan(3)
    expect(fold('ＣＡＮＴＯＮ　Tower 廣州塔')).toBe('canton tower 广州塔')
    expect(fold('ＣＡＮＴＯＮ　Tower 廣州塔')).toHaveLength('ＣＡＮＴＯＮ　Tower 廣州塔'.length)
  })

  it('converts 简/繁 and 全角/半角', () => {
    expect(toSimplified('廣州塔的頭髮')).toBe('广州塔的头发')
    expect(toTraditional('广州塔的头发')).toBe('廣州塔的頭髮')
    expect(toTraditional('软件', 'taiwan')).toBe('軟體')
    expect(toHalfWidth('ＡＢＣ　１２３！')).toBe('ABC 123!')
    expect(toFullWidth('AB 1!')).toBe('ＡＢ　１！')
    expect(zhPunctuation('你好,世界!Hello, world.3.5米.')).toBe('你好，世界！Hello, world.3.5米。')
  })
})
