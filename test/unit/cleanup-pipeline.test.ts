import { describe, expect, it } from 'vitest'
import {
  compilePipeline,
  contentUnits,
  guardStep,
  kohyaCleanCaption,
  kohyaCleanTags,
  presetSteps,
  previewCleanup,
  runItem,
  testUserRule
} from '../../src-main/core/cleanup'
import type { CleanupItem, DiffPart, UserRule } from '../../src-main/core/cleanup'

describe('kohya clean_captions_and_tags, exactly as formats.md §4', () => {
  it('drops hair colours, eye colours and lengths that conflict between several people', () => {
    expect(
      kohyaCleanTags(
        '2girls, long hair, short hair, blue eyes, red eyes, blonde hair, black hair, smile'
      )
    ).toBe('2girls, smile')
  })
  it('spares a single hair length while dropping the conflicting hair colours', () => {
    expect(kohyaCleanTags('2girls, long hair, blonde hair, black hair, smile')).toBe(
      '2girls, long hair, smile'
    )
  })
  it('keeps conflicting tags when only one person is in the picture', () => {
    expect(kohyaCleanTags('1girl, long hair, short hair, blue eyes, red eyes')).toBe(
      '1girl, long hair, short hair, blue eyes, red eyes'
    )
  })
  it('cuts everything from the DeepDanbooru rating on', () => {
    expect(kohyaCleanTags('1girl, rating:safe, smile')).toBe('1girl')
  })
  it('removes a bare word when a longer tag ends with it, and "hair ornament"', () => {
    expect(kohyaCleanTags('shirt, white shirt, t-shirt, hair ornament, red hair ornament')).toBe(
      'white shirt, t-shirt, red hair ornament'
    )
  })
  it('protects ^_^ while replacing every other underscore', () => {
    expect(kohyaCleanTags('^_^, looking_at_viewer, >_<')).toBe('^_^, looking at viewer, > <')
  })
  it('repeats each caption replacement until nothing changes, in order', () => {
    expect(kohyaCleanCaption('anime anime anime girl').text).toBe('girl')
    expect(kohyaCleanCaption('a cartoon women and persons').text).toBe('a girls and girls')
    // substring semantics, case-sensitive, as in Python's str.replace
    expect(kohyaCleanCaption('ladybug, Lady').text).toBe('girlbug, Lady')
  })
})

const ITEMS: CleanupItem[] = [
  {
    id: 1,
    zh: '一只猫坐在窗台上。图片来源：视觉中国 https://a.cn/x',
    en: 'A cat on a sill. Photo by Jane Doe on Unsplash https://u.com/p',
    tags: ['long_hair', 'rating:safe', 'shirt', 'white shirt']
  },
  { id: 2, zh: '一只狗。', en: 'A dog.', tags: ['dog'] },
  { id: 3, zh: '夜晚的城市 http://x.cn', en: 'a city at night', tags: [] }
]

function rebuild(parts: DiffPart[] | undefined, side: 'before' | 'after'): string {
  return (parts ?? [])
    .filter((p) => p.op === '=' || p.op === (side === 'before' ? '-' : '+'))
    .map((p) => p.text)
    .join('')
}

describe('previewCleanup', () => {
  it('lists changed items with before/after, diffs and per-rule counts, and leaves the input alone', () => {
    const input = structuredClone(ITEMS)
    const p = previewCleanup(input, { steps: presetSteps('web-scrape', 'tags') })
    expect(input).toEqual(ITEMS)
    expect(p.scanned).toBe(3)
    expect(p.changed).toBe(2)
    expect(p.items.map((i) => i.id)).toEqual([1, 3])
    const url = p.totals.find((t) => t.rule === 'url')
    expect(url).toMatchObject({ label: 'URLs removed', count: 3, items: 2 })
    const first = p.items[0]
    expect(first?.after).toEqual({
      zh: '一只猫坐在窗台上。',
      en: 'A cat on a sill.',
      tags: ['long hair', 'white shirt']
    })
    expect(first?.counts).toMatchObject({
      url: 2,
      credits: 1,
      boilerplate: 1,
      'tags-rating': 1,
      'tags-generic': 1
    })
    expect(rebuild(first?.diff?.zh, 'before')).toBe(ITEMS[0]?.zh)
    expect(rebuild(first?.diff?.zh, 'after')).toBe('一只猫坐在窗台上。')
    expect(rebuild(first?.diff?.en, 'after')).toBe('A cat on a sill.')
  })

  it('counts every item but lists only `limit` of them', () => {
    const p = previewCleanup(ITEMS, { steps: presetSteps('web-scrape') }, { limit: 1, diff: false })
    expect(p.changed).toBe(2)
    expect(p.items).toHaveLength(1)
    expect(p.items[0]?.diff).toBeUndefined()
    expect(p.truncated).toBe(true)
  })

  it('keeps 繁→简 off in the normalise preset until it is switched on', () => {
    const item = { id: 1, zh: '一隻貓', en: '', tags: [] }
    const off = compilePipeline({ steps: presetSteps('normalise') })
    expect(runItem(item, off).zh).toBe('一隻貓')
    const steps = presetSteps('normalise').map((s) =>
      s.rule === 't2s' ? { ...s, enabled: true } : s
    )
    expect(runItem(item, compilePipeline({ steps })).zh).toBe('一只猫')
  })

  it('runs a rule only on the fields a step names', () => {
    const item = { id: 1, zh: '猫 http://a.cn', en: 'cat http://a.com', tags: [] }
    const r = runItem(item, compilePipeline({ steps: [{ rule: 'url', fields: ['en'] }] }))
    expect(r).toMatchObject({ zh: '猫 http://a.cn', en: 'cat' })
  })

  it('refuses unknown rules and bad options with a clear error', () => {
    expect(() => compilePipeline({ steps: [{ rule: 'nope' }] })).toThrow(
      /unknown cleanup rule "nope"/
    )
    expect(() =>
      compilePipeline({ steps: [{ rule: 'tags-blacklist', options: { tags: 'x' } }] })
    ).toThrow(/tags-blacklist.*list of strings/)
    expect(() =>
      compilePipeline({ steps: [{ rule: 'length-budget', options: { zh: -1 } }] })
    ).toThrow(/whole number/)
  })
})

describe('user rules', () => {
  const rule = (r: Partial<UserRule>): UserRule => ({
    id: 'r',
    find: 'x',
    replace: '',
    regex: false,
    ...r
  })

  it('replaces literals (optionally ignoring case) and counts them', () => {
    const item = { id: 1, zh: '猫猫。猫', en: 'A.B a.b', tags: [] }
    const p = compilePipeline({
      steps: [],
      userRules: [
        rule({ id: 'cat', find: '猫', replace: '狗', fields: ['zh'] }),
        rule({ id: 'ab', find: 'a.b', replace: '$1', flags: 'i' })
      ]
    })
    const r = runItem(item, p)
    expect(r.zh).toBe('狗狗。狗')
    expect(r.en).toBe('$1 $1')
    expect(r.counts).toEqual({ 'user:cat': 3, 'user:ab': 2 })
  })

  it('expands groups in regex replacements', () => {
    expect(
      testUserRule(
        rule({ regex: true, find: '(\\d+)\\s*px', replace: '$1 pixels' }),
        'a 512px and 64 px'
      )
    ).toEqual({
      ok: true,
      output: 'a 512 pixels and 64 pixels',
      count: 2
    })
  })

  it('names the rule and the reason when a regex is invalid, dangerous or matches nothing', () => {
    const bad = testUserRule(rule({ id: 'broken', regex: true, find: '(ab' }), 'ab')
    expect(bad).toMatchObject({ ok: false })
    expect(!bad.ok && bad.error).toMatch(/Rule "broken": invalid regular expression/)
    const back = testUserRule(rule({ regex: true, find: '(a)\\1' }), 'aa')
    expect(!back.ok && back.error).toMatch(/backreference/)
    const empty = testUserRule(rule({ regex: true, find: 'x*' }), 'abc')
    expect(!empty.ok && empty.error).toMatch(/matches empty text/)
    const flags = testUserRule(rule({ regex: true, find: 'a', flags: 'y' }), 'abc')
    expect(!flags.ok && flags.error).toMatch(/unsupported flags/)
    expect(() =>
      compilePipeline({ steps: [], userRules: [rule({ regex: true, find: '[' })] })
    ).toThrow(/invalid regular/)
  })

  it('runs patterns that backtrack exponentially elsewhere, in linear time', () => {
    for (const find of ['(a+)+$', '(a|aa)+$', '(a|a)+$', '(?:a|aa)+$', '(\\w+\\s?)+$'])
      expect(
        testUserRule(rule({ regex: true, find, replace: 'x' }), 'a'.repeat(40) + '!'),
        find
      ).toMatchObject({ ok: true })
  })
})

describe('the guard', () => {
  it('holds a result that empties a caption, or removes more than half of what it says', () => {
    expect(guardStep('转发微博', '', 'zh')).toEqual({ reason: 'empties', removed: 1 })
    // the issue-12 failure: a source label that ran through the caption
    const bad = guardStep('图片来源：视觉中国 故宫角楼的雪景，红墙金瓦', '红墙金瓦', 'zh')
    expect(bad?.reason).toBe('removes-most')
    expect(bad?.removed).toBeCloseTo(7 / 11)
    // the right cut takes no content: label, stock site
    expect(
      guardStep('图片来源：视觉中国 故宫角楼的雪景，红墙金瓦', '故宫角楼的雪景，红墙金瓦', 'zh')
    ).toBeNull()
    expect(
      guardStep('A foggy forest. Photo by Jane Doe on Unsplash', 'A foggy forest.', 'en')
    ).toBeNull()
    expect(guardStep('an old man, a young woman, a dog', 'an old man', 'en')).toMatchObject({
      reason: 'removes-most'
    })
  })

  it('weighs content units: URLs, e-mails, short #tags and @handles and noise words weigh nothing', () => {
    expect(contentUnits('一只猫 https://a.cn/x.jpg me@x.com #萌宠 @小王 pinterest.com/pin/1')).toBe(
      3
    )
    expect(contentUnits('Golden hour #sunset #beach #goldenhour #travel')).toBe(2)
    expect(contentUnits('Photo by Jane Doe on Unsplash')).toBe(2)
    expect(contentUnits('| 小红书 | 点赞收藏 4000x3000 123456')).toBe(0)
    // a tag that swallowed a sentence counts in full
    expect(contentUnits('#夜景一位女孩站在广州塔前')).toBe(12)
  })

  it('judges rewriting rules and tag lists on emptiness only', () => {
    expect(guardStep('一只猫。一只猫。一只猫。', '一只猫。', 'zh', false)).toBeNull()
    expect(guardStep('a, b, c, d', 'a', 'tags')).toBeNull()
    expect(guardStep('rating:safe', '', 'tags')).toMatchObject({ reason: 'empties' })
  })

  const cut: UserRule = { id: 'cut', find: '^.*，', replace: '', regex: true, fields: ['zh'] }
  const item = { id: 7, zh: '图片来源：视觉中国 故宫角楼的雪景，红墙金瓦 😍', en: '', tags: [] }

  it('keeps a held field as the step got it, lets the other steps go on, and reports the hold', () => {
    const p = compilePipeline({ steps: [{ rule: 'emoji' }], userRules: [cut] })
    const r = runItem(item, p)
    expect(r.zh).toBe('图片来源：视觉中国 故宫角楼的雪景，红墙金瓦')
    expect(r.counts).toEqual({ emoji: 1 })
    expect(r.held).toEqual([
      {
        rule: 'user:cut',
        label: 'Rule "cut"',
        field: 'zh',
        reason: 'removes-most',
        removed: expect.closeTo(7 / 11) as number,
        before: '图片来源：视觉中国 故宫角楼的雪景，红墙金瓦',
        after: '红墙金瓦'
      }
    ])
    // released by a reviewer: applied
    const released = runItem(item, p, { guard: false })
    expect(released.zh).toBe('红墙金瓦')
    expect(released.held).toEqual([])
  })

  it('lists held items in the preview even when nothing else changed them, with per-rule counts', () => {
    const p = compilePipeline({ steps: [], userRules: [cut] })
    const items = [item, { id: 8, zh: '雪后的角楼，红墙金瓦与白雪相映成趣', en: '', tags: [] }]
    const preview = previewCleanup(items, p)
    expect(preview.changed).toBe(1) // item 8 loses "雪后的角楼，": a third of it
    expect(preview.items.map((i) => i.id)).toEqual([8])
    expect(preview.heldItems).toBe(1)
    expect(preview.held.map((h) => [h.id, h.steps.map((s) => s.rule)])).toEqual([[7, ['user:cut']]])
    expect(preview.totals).toEqual([
      { rule: 'user:cut', label: 'Rule "cut"', count: 1, items: 1, held: 1 }
    ])
    expect(previewCleanup(items, p, { guard: false }).changed).toBe(2)
  })
})
