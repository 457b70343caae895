import { describe, expect, it } from 'vitest'
import { CAPTION_FIELDS, type CaptionFields, type Lang } from '../../src-main/shared/api'
import {
  parse,
  parseForFields,
  parseLenient,
  render
} from '../../src-main/core/captions/text/structured'

/** mulberry32: a small seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS: Record<Lang, string[]> = {
  zh: [
    '一只猫',
    '白色的毛',
    '坐在窗台上',
    '城市街道',
    '近景',
    '写实',
    '中国传统',
    '宁静',
    '柔和的晨光',
    '欢迎光临',
    '猫，狗',
    '红色。蓝色',
    '“引号”',
    'Canton Tower',
    'A cat',
    '一只呈现出复古风格的猫',
    '背景里的树',
    '3.5米高',
    '  带空格  ',
    '结尾句号。',
    '🐱表情',
    '全角ＡＢＣ',
    '、顿号开头',
    'a,b',
    '"ascii quotes"',
    '光线柔和',
    '风格',
    '构图',
    '文化',
    '氛围',
    '画面',
    '身穿红衣',
    '正在奔跑',
    '广州塔',
    '蕴含',
    '展现',
    '采用',
    '呈现出',
    '（括号）',
    '；分号',
    '！感叹',
    '？',
    '……',
    '\t制表'
  ],
  en: [
    'a cat',
    'white fur',
    'sitting on a windowsill',
    'a busy street',
    'close-up',
    'realistic',
    'Chinese',
    'a calm',
    'soft morning',
    'cats, dogs',
    'Mr. Smith',
    'e.g. this',
    '"quoted"',
    '广州塔',
    'with a hat',
    '3.5 meters',
    'The End',
    'x; y',
    'wearing red',
    'running fast',
    'the background',
    'style',
    'composition',
    'culture',
    'atmosphere',
    'The image',
    'shows',
    'adopts',
    'contains',
    'creates',
    'U.S.A.',
    '  padded  ',
    'trailing dot.',
    'emoji 🐱',
    'ＡＢＣ',
    "it's",
    '(paren)',
    'a/b',
    'semi; colon',
    'Hello!',
    'why?'
  ]
}
const JOINS: Record<Lang, string[]> = {
  zh: ['', '', '的', '，', '、', ' ', '。'],
  en: [' ', ' ', ', ', ' and ', '. ', '-', '']
}

function phrase(r: () => number, lang: Lang): string {
  const n = 1 + Math.floor(r() * 3)
  let s = ''
  for (let i = 0; i < n; i++) {
    if (i) s += JOINS[lang][Math.floor(r() * JOINS[lang].length)]
    s += WORDS[lang][Math.floor(r() * WORDS[lang].length)]
  }
  return s
}

function randomFields(r: () => number, lang: Lang): CaptionFields {
  const f: Record<string, string> = {}
  for (const k of CAPTION_FIELDS) if (r() < 0.55) f[k] = phrase(r, lang)
  return f as CaptionFields
}

describe('render / parse round trip', () => {
  for (const lang of ['zh', 'en'] as const) {
    it(`render(parse(render(f))) === render(f) for 20,000 generated ${lang} field sets`, () => {
      const r = rng(lang === 'zh' ? 1234 : 5678)
      let proseLike = 0
      for (let i = 0; i < 20_000; i++) {
        const f = randomFields(r, lang)
        const t = render(f, lang)
        // The documented exception: only subject/appearance/action, and the lenient reading
        // finds formula clauses in them (e.g. a subject "采用…构图"): read as prose, by design.
        const headOnly = Object.keys(f).every((k) =>
          ['subject', 'appearance', 'action'].includes(k)
        )
        if (
          headOnly &&
          Object.keys(parseLenient(t, lang)).some(
            (k) => !['subject', 'appearance', 'action'].includes(k)
          )
        ) {
          proseLike++
          continue
        }
        const again = render(parse(t, lang), lang)
        if (again !== t) expect({ f, again }).toEqual({ f, again: t })
      }
      expect(proseLike).toBeLessThan(20)
    })

    it(`a ${lang} caption of only subject clauses that are formulas reads as prose`, () => {
      const t =
        lang === 'zh' ? '一只猫，采用近景构图。' : 'A cat, the photo adopts close-up composition.'
      expect(parse(t, lang)).toEqual(
        lang === 'zh'
          ? { subject: '一只猫', composition: '近景' }
          : { subject: 'A cat', composition: 'close-up' }
      )
    })

    it(`every one of the 1,024 ${lang} field combinations round-trips, and plain values come back in their fields`, () => {
      const plain: Record<Lang, CaptionFields> = {
        zh: {
          subject: '一只猫',
          appearance: '身穿红衣',
          action: '坐在窗台上',
          background: '城市街道',
          lighting: '柔和的晨光',
          text: '欢迎光临',
          composition: '近景',
          style: '写实',
          culture: '中国传统',
          atmosphere: '宁静'
        },
        en: {
          subject: 'A cat',
          appearance: 'with white fur',
          action: 'sitting on a windowsill',
          background: 'a busy street',
          lighting: 'soft morning light',
          text: 'Welcome',
          composition: 'close-up',
          style: 'realistic',
          culture: 'Chinese',
          atmosphere: 'a calm'
        }
      }
      for (let mask = 0; mask < 1 << CAPTION_FIELDS.length; mask++) {
        const f: Record<string, string> = {}
        CAPTION_FIELDS.forEach((k, i) => {
          if (mask & (1 << i)) f[k] = plain[lang][k] as string
        })
        const t = render(f, lang)
        const back = parse(t, lang)
        expect(render(back, lang)).toBe(t)
        if (f.subject) expect(back).toEqual(f)
      }
    })
  }

  it('renders the canonical formulas in Hunyuan order', () => {
    const f: CaptionFields = {
      subject: '一只猫',
      appearance: '白色的毛',
      action: '坐在窗台上',
      background: '城市',
      lighting: '柔和的晨光',
      text: '欢迎',
      composition: '近景',
      style: '写实',
      culture: '中国',
      atmosphere: '宁静'
    }
    expect(render(f, 'zh')).toBe(
      '一只猫，白色的毛，坐在窗台上。背景是城市。光线为柔和的晨光。画面中的文字为“欢迎”。' +
        '画面采用近景构图，呈现出写实风格，蕴含了中国文化，展现了宁静氛围。'
    )
    expect(render({ style: '动漫', subject: 'A girl' }, 'en')).toBe(
      'A girl. The image shows 动漫 style.'
    )
    expect(render({ subject: '  ', style: '' }, 'zh')).toBe('')
    expect(parse('', 'zh')).toEqual({})
  })
})

describe('parsing the published Hunyuan-Captioner captions', () => {
  it('TR Fig. 8, expert tags: 一位亚洲年轻女性高级感模特…', () => {
    const f = parse(
      '一位亚洲年轻女性高级感模特，身穿黑色上衣，长发披肩，嘴唇涂着红色口红，站在棕色背景前，照片采用近景构图方式，半身拍摄，呈现出写实风格，这张照片蕴含了人物摄影文化，展现了优雅氛围。',
      'zh'
    )
    expect(f.subject).toBe('一位亚洲年轻女性高级感模特')
    expect(f.appearance).toContain('身穿黑色上衣')
    expect(f.appearance).toContain('长发披肩')
    expect(f.action).toBe('站在棕色背景前')
    expect(f.composition).toContain('近景')
    expect(f.composition).toContain('半身拍摄')
    expect(f.style).toBe('写实')
    expect(f.culture).toBe('人物摄影')
    expect(f.atmosphere).toBe('优雅')
    expect(f.background).toBeUndefined()
  })

  it('TR Fig. 8, manual label: 夜晚上海外滩…', () => {
    const f = parse(
      '夜晚上海外滩的灯光璀璨夺目，构图方式是远景、平视、水平线构图，摄影风格。这张照片蕴含了中国上海的建筑文化，同时也展现了壮观的氛围。',
      'zh'
    )
    expect(f.subject).toBe('夜晚上海外滩的灯光璀璨夺目')
    expect(f.composition).toBe('远景、平视、水平线')
    expect(f.style).toBe('摄影')
    expect(f.culture).toBe('中国上海的建筑')
    expect(f.atmosphere).toBe('壮观')
  })

  it('caption_demo.jpg with insert_content 宫保鸡丁', () => {
    const f = parse(
      '在黑色盘子里，摆放着一份宫保鸡丁。背景是桌子。照片采用了特写、俯视和居中构图的方式',
      'zh'
    )
    expect(f.subject).toBe('在黑色盘子里')
    expect(f.action).toBe('摆放着一份宫保鸡丁')
    expect(f.background).toBe('桌子')
    expect(f.composition).toBe('特写、俯视和居中')
  })

  it('the §1.4 phrasings: 背景是火车站的建筑和轨道 / 采用平视、居中、近景的构图方式 / 呈现出写实的效果', () => {
    const f = parse(
      '一列火车停靠着，周围人群熙熙攘攘，背景是火车站的建筑和轨道，采用平视、居中、近景的构图方式，呈现出写实的效果，这张照片蕴含了现代化交通的气息，展现了期待的氛围。',
      'zh'
    )
    expect(f.subject).toBe('一列火车停靠着')
    expect(f.action).toBe('周围人群熙熙攘攘')
    expect(f.background).toBe('火车站的建筑和轨道')
    expect(f.composition).toBe('平视、居中、近景')
    expect(f.style).toBe('写实')
    expect(f.culture).toBe('现代化交通的气息')
    expect(f.atmosphere).toBe('期待')
  })

  it('the English phrasings (§1.4 table)', () => {
    const f = parse(
      'A young Asian girl with brown hair, wearing a white shirt, her eyes sparkling, the background is white, the photo adopts close-up composition, half-body, showing anime style, containing anime culture, creating a beautiful atmosphere.',
      'en'
    )
    expect(f.subject).toBe('A young Asian girl with brown hair')
    expect(f.appearance).toBe('wearing a white shirt, her eyes sparkling')
    expect(f.background).toBe('white')
    expect(f.composition).toBe('close-up, half-body')
    expect(f.style).toBe('anime')
    expect(f.culture).toBe('anime')
    expect(f.atmosphere).toBe('a beautiful')
  })

  it('a LoRA-style caption that starts with a style trigger keeps it in the subject', () => {
    const t = '青花瓷风格，一只蓝色的鸟儿站在蓝色的花瓶上，周围点缀着白色花朵，背景是白色'
    const f = parse(t, 'zh')
    expect(f.subject).toBe('青花瓷风格，一只蓝色的鸟儿站在蓝色的花瓶上')
    expect(f.background).toBe('白色')
    expect(f.style).toBeUndefined()
  })
})

describe('Chinese joins read naturally (issue 12)', () => {
  it('no doubled copula: a background that says 是 gets 背景中, a sentence about light stands alone', () => {
    const f: CaptionFields = {
      subject: '一位少女',
      action: '坐在咖啡馆的窗边',
      background: '窗外是广州塔',
      lighting: '阳光洒在桌上'
    }
    const t = render(f, 'zh')
    expect(t).toBe('一位少女，坐在咖啡馆的窗边。背景中，窗外是广州塔。阳光洒在桌上。')
    expect(t).not.toMatch(/背景是窗外是|光线为阳光/)
    expect(parse(t, 'zh')).toEqual(f)
  })

  it('noun phrases keep 背景是 / 光线为; a short quality reads 光线柔和; 背景… and 光线… are not repeated', () => {
    expect(render({ subject: '一只猫', background: '城市街道' }, 'zh')).toBe(
      '一只猫。背景是城市街道。'
    )
    expect(render({ subject: '一只猫', lighting: '柔和的晨光' }, 'zh')).toBe(
      '一只猫。光线为柔和的晨光。'
    )
    expect(render({ subject: '一只猫', lighting: '柔和' }, 'zh')).toBe('一只猫。光线柔和。')
    expect(render({ subject: '一只猫', lighting: '光线昏暗' }, 'zh')).toBe('一只猫。光线昏暗。')
    expect(render({ subject: '一只猫', background: '背景模糊' }, 'zh')).toBe('一只猫。背景模糊。')
    for (const f of [
      { subject: '一只猫', lighting: '柔和' },
      { subject: '一只猫', lighting: '光线昏暗' },
      { subject: '一只猫', background: '背景模糊', lighting: '柔和的晨光' }
    ] as CaptionFields[])
      expect(render(parse(render(f, 'zh'), 'zh'), 'zh')).toBe(render(f, 'zh'))
    // "光线昏暗" reads back as the quality it states (光线 + 昏暗): the same paragraph
    expect(parse('一只猫。光线昏暗。', 'zh').lighting).toMatch(/昏暗$/)
  })

  it('an existing caption is parsed into fields, not dumped into the subject', () => {
    expect(parse('一位少女坐在咖啡馆的窗边，阳光洒在桌上，背景是窗外的广州塔。', 'zh')).toEqual({
      subject: '一位少女',
      action: '坐在咖啡馆的窗边',
      lighting: '阳光洒在桌上',
      background: '窗外的广州塔'
    })
  })
})

describe('parseForFields', () => {
  it('splits a one-sentence caption into who and what it does; parse keeps it whole', () => {
    expect(parse('一只橘猫坐在窗台上。', 'zh')).toEqual({ subject: '一只橘猫坐在窗台上' })
    expect(parseForFields('一只橘猫坐在窗台上。', 'zh')).toEqual({
      subject: '一只橘猫',
      action: '坐在窗台上'
    })
    expect(parseForFields('一位少女坐在咖啡馆的窗边，阳光洒在桌上。', 'zh')).toEqual({
      subject: '一位少女',
      action: '坐在咖啡馆的窗边',
      lighting: '阳光洒在桌上'
    })
    // a canonical caption reads as parse reads it
    const t = '一只猫，身穿红衣。背景中，窗外是广州塔。画面采用近景构图。'
    expect(parseForFields(t, 'zh')).toEqual(parse(t, 'zh'))
  })
})
