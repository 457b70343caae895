import { describe, expect, it } from 'vitest'
import { PRESETS, RULES } from '../../src-main/core/cleanup'
import type { Field, RuleOptions } from '../../src-main/core/cleanup'

interface Case {
  field: Field
  in: string
  out: string
  opts?: RuleOptions
}
/** rule id → [positive zh, positive en, negative zh, negative en, …more] */
const CASES: Record<string, Case[]> = {
  'html-tags': [
    { field: 'zh', in: '<p>一只<b>白色</b>的猫</p>', out: '一只白色的猫' },
    { field: 'en', in: 'a <i>red</i> car<br/>on a road', out: 'a red car on a road' },
    { field: 'zh', in: '数学公式 a < b > c', out: '数学公式 a < b > c' },
    { field: 'en', in: 'x < 3 and y > 2', out: 'x < 3 and y > 2' }
  ],
  'html-entities': [
    { field: 'zh', in: '猫&amp;狗&nbsp;在一起', out: '猫&狗 在一起' },
    { field: 'en', in: 'Tom &amp; Jerry &#8212; &#x4E2D;', out: 'Tom & Jerry — 中' },
    { field: 'zh', in: '猫和狗 & 朋友', out: '猫和狗 & 朋友' },
    { field: 'en', in: 'R&D; &unknownthing; AT&T', out: 'R&D; &unknownthing; AT&T' }
  ],
  url: [
    { field: 'zh', in: '一只猫https://img.example.cn/a/b.jpg?x=1，坐着', out: '一只猫，坐着' },
    {
      field: 'en',
      in: 'A cat. More at https://example.com/cats?id=3. Nice',
      out: 'A cat. More at. Nice'
    },
    { field: 'en', in: 'visit www.example.org for more', out: 'visit for more' },
    { field: 'zh', in: '网站的截图，显示着标题', out: '网站的截图，显示着标题' },
    {
      field: 'en',
      in: 'a sign reading example dot com, http text',
      out: 'a sign reading example dot com, http text'
    }
  ],
  email: [
    { field: 'zh', in: '联系邮箱：foo.bar@example.cn。一只狗', out: '联系邮箱。一只狗' },
    { field: 'en', in: 'a dog, contact me@site.co.uk', out: 'a dog, contact' },
    { field: 'zh', in: '@小明 的猫', out: '@小明 的猫' },
    { field: 'en', in: 'a cat @ home at 5 @ night', out: 'a cat @ home at 5 @ night' }
  ],
  mention: [
    { field: 'zh', in: '@摄影小王：一只猫在睡觉', out: '一只猫在睡觉' },
    { field: 'en', in: 'cute cat by @john_doe.', out: 'cute cat by.' },
    { field: 'zh', in: '邮箱 foo@bar.com 的截图', out: '邮箱 foo@bar.com 的截图' },
    { field: 'en', in: 'two cats @ the window', out: 'two cats @ the window' }
  ],
  hashtag: [
    { field: 'zh', in: '一只柯基 #萌宠# #狗狗日常#', out: '一只柯基' },
    { field: 'en', in: 'a corgi on grass #dog #CuteAnimals', out: 'a corgi on grass' },
    { field: 'zh', in: '排名第#1的餐厅', out: '排名第#1的餐厅' },
    { field: 'en', in: 'C# code, ranked #1, issue #42', out: 'C# code, ranked #1, issue #42' }
  ],
  emoji: [
    { field: 'zh', in: '好可爱的猫😍😍', out: '好可爱的猫' },
    { field: 'en', in: 'a thumbs up 👍🏽 and a family 👨‍👩‍👧 🇨🇳', out: 'a thumbs up and a family' },
    { field: 'zh', in: '版本号 3.0，价格 ¥99', out: '版本号 3.0，价格 ¥99' },
    { field: 'en', in: 'Brand™ logo © text, 3 cats #1', out: 'Brand™ logo © text, 3 cats #1' }
  ],
  'post-tags': [
    { field: 'zh', in: '喀纳斯湖的秋天 [OC] [4000x3000]', out: '喀纳斯湖的秋天' },
    { field: 'en', in: 'Lake Wanaka at dusk (OC) [4032 × 3024]', out: 'Lake Wanaka at dusk' },
    {
      field: 'zh',
      in: '墙上挂着一幅 4000x3000 的照片（已签名）',
      out: '墙上挂着一幅 4000x3000 的照片（已签名）'
    },
    {
      field: 'en',
      in: 'a 4000x3000 print [signed] on a wall',
      out: 'a 4000x3000 print [signed] on a wall'
    }
  ],
  credits: [
    { field: 'zh', in: '故宫的雪景。摄影：张三', out: '故宫的雪景。' },
    { field: 'zh', in: '长城日出（李四 摄）', out: '长城日出' },
    { field: 'en', in: 'A foggy forest. Photo by Jane Doe on Unsplash', out: 'A foggy forest.' },
    { field: 'en', in: 'Sunset pier (Photo: J. R. Smith)', out: 'Sunset pier' },
    { field: 'zh', in: '一位摄影师在拍摄日出', out: '一位摄影师在拍摄日出' },
    { field: 'en', in: 'a photo by the lake at dawn', out: 'a photo by the lake at dawn' }
  ],
  boilerplate: [
    { field: 'zh', in: '西湖断桥残雪，图片来源：视觉中国，点击查看大图', out: '西湖断桥残雪' },
    {
      field: 'zh',
      in: '一碗拉面（图片来自网络，如有侵权请联系删除）版权所有©2021',
      out: '一碗拉面'
    },
    {
      field: 'en',
      in: 'Stock photo of a red apple on a table. Image may contain: fruit',
      out: 'a red apple on a table. fruit'
    },
    {
      field: 'en',
      in: 'A harbour at dusk. Copyright © 2019 Acme Ltd. All rights reserved.',
      out: 'A harbour at dusk.'
    },
    { field: 'zh', in: '光线来源于左侧窗户，版权意识', out: '光线来源于左侧窗户，版权意识' },
    {
      field: 'en',
      in: 'livestock photographed in a field, a book about copyright law',
      out: 'livestock photographed in a field, a book about copyright law'
    }
  ],
  whitespace: [
    {
      field: 'zh',
      in: '  一只 猫\t坐在\u3000窗台上 \r\n\r\n第二行 ',
      out: '一只猫坐在窗台上\n第二行'
    },
    { field: 'en', in: 'a  cat\u00a0\u200b on\ta mat  ', out: 'a cat on a mat' },
    { field: 'zh', in: '一只猫 and a dog', out: '一只猫 and a dog' },
    { field: 'en', in: 'a cat\nsecond line', out: 'a cat\nsecond line' }
  ],
  'punct-width': [
    {
      field: 'zh',
      in: '一只猫,坐在窗台上.Ｗｉｆｉ信号１００',
      out: '一只猫，坐在窗台上。Wifi信号100'
    },
    {
      field: 'en',
      in: 'a cat，sitting（quietly）。Done！',
      out: 'a cat, sitting (quietly). Done!'
    },
    { field: 'zh', in: '温度为3.5度，iPhone 15, USB-C', out: '温度为3.5度，iPhone 15, USB-C' },
    { field: 'en', in: 'a cat, sitting (quietly). Done!', out: 'a cat, sitting (quietly). Done!' }
  ],
  t2s: [
    { field: 'zh', in: '一隻貓在櫻花樹下', out: '一只猫在樱花树下' },
    { field: 'zh', in: '一只猫在樱花树下', out: '一只猫在樱花树下' },
    { field: 'en', in: 'a cat under a cherry tree', out: 'a cat under a cherry tree' }
  ],
  'repeated-sentences': [
    { field: 'zh', in: '一只猫。一只猫。它在睡觉。一只猫。', out: '一只猫。它在睡觉。' },
    {
      field: 'en',
      in: 'A red car. A red car. It is parked. a red car.',
      out: 'A red car. It is parked.'
    },
    { field: 'zh', in: '猫，猫，猫在睡觉。', out: '猫，猫，猫在睡觉。' },
    {
      field: 'en',
      in: 'It weighs 3.5 kg. It weighs 3.6 kg. e.g. cats, e.g. dogs.',
      out: 'It weighs 3.5 kg. It weighs 3.6 kg. e.g. cats, e.g. dogs.'
    }
  ],
  'kohya-caption': [
    {
      field: 'en',
      in: 'a young woman and an anime female with people',
      out: 'a girl and an girl with girls'
    },
    { field: 'en', in: 'a cartoon drawing of a lady', out: 'a drawing of a girl' },
    { field: 'zh', in: '舞台上的 young woman，动漫风格', out: '舞台上的 girl，动漫风格' },
    { field: 'zh', in: '一位年轻女子站在舞台上', out: '一位年轻女子站在舞台上' },
    { field: 'en', in: 'A Woman and a dog', out: 'A Woman and a dog' }
  ],
  'kohya-tags': [
    {
      field: 'tags',
      in: '1girl, long_hair, shirt, white shirt, rating:safe',
      out: '1girl, long hair, white shirt'
    },
    { field: 'tags', in: '长发, 白色 衬衫, 衬衫, ^_^', out: '长发, 白色 衬衫, ^_^' },
    { field: 'tags', in: '1girl, solo, white shirt', out: '1girl, solo, white shirt' },
    { field: 'tags', in: '猫, 户外, 草地', out: '猫, 户外, 草地' }
  ],
  'tags-tidy': [
    {
      field: 'tags',
      in: '1girl, solo ,long hair,, smile , , blush',
      out: '1girl, solo, long hair, smile, blush'
    },
    { field: 'tags', in: '长发，  微笑, 户外', out: '长发, 微笑, 户外' },
    { field: 'tags', in: '1girl, long hair, smile', out: '1girl, long hair, smile' },
    { field: 'tags', in: '长发, 微笑', out: '长发, 微笑' }
  ],
  'tags-underscores': [
    {
      field: 'tags',
      in: 'long_hair, ^_^, >_<, hatsune_miku_(cosplay)',
      out: 'long hair, ^_^, >_<, hatsune miku (cosplay)'
    },
    { field: 'tags', in: '黑色_长发, 猫', out: '黑色 长发, 猫' },
    { field: 'tags', in: '(o)_(o), o_o, 0_0', out: '(o)_(o), o_o, 0_0' },
    { field: 'tags', in: '长发, 猫', out: '长发, 猫' }
  ],
  'tags-rating': [
    { field: 'tags', in: 'rating:safe, 1girl, general, rating_explicit', out: '1girl' },
    { field: 'tags', in: '分级:安全, 猫, rating: questionable', out: '分级:安全, 猫' },
    {
      field: 'tags',
      in: 'general store, safe, explicit content',
      out: 'general store, safe, explicit content'
    },
    { field: 'tags', in: '猫, 普通', out: '猫, 普通' }
  ],
  'tags-dedupe': [
    {
      field: 'tags',
      in: '1girl, Long Hair, long_hair, solo, 1girl',
      out: '1girl, Long Hair, solo'
    },
    { field: 'tags', in: '猫, 狗, 猫', out: '猫, 狗' },
    { field: 'tags', in: 'hair, long hair', out: 'hair, long hair' },
    { field: 'tags', in: '猫, 小猫', out: '猫, 小猫' }
  ],
  'tags-generic': [
    {
      field: 'tags',
      in: 'shirt, white shirt, hair, long hair, hair ornament, red hair ornament',
      out: 'white shirt, long hair, red hair ornament'
    },
    { field: 'tags', in: '衬衫, 白色 衬衫', out: '白色 衬衫' },
    { field: 'tags', in: 'shirt, shirt lift, skirt', out: 'shirt, shirt lift, skirt' },
    { field: 'tags', in: '衬衫, 白衬衫', out: '衬衫, 白衬衫' }
  ],
  'tags-blacklist': [
    {
      field: 'tags',
      in: 'watermark, 1girl, Signature',
      out: '1girl',
      opts: { tags: ['watermark', 'signature'] }
    },
    { field: 'tags', in: '水印, 猫', out: '猫', opts: { tags: ['水印'] } },
    {
      field: 'tags',
      in: 'watermarked paper, 1girl',
      out: 'watermarked paper, 1girl',
      opts: { tags: ['watermark'] }
    },
    { field: 'tags', in: '水印纸, 猫', out: '水印纸, 猫', opts: { tags: ['水印'] } }
  ],
  'tags-whitelist': [
    {
      field: 'tags',
      in: '1girl, solo, blurry',
      out: '1girl, solo',
      opts: { tags: ['1girl', 'solo'] }
    },
    { field: 'tags', in: '猫, 模糊', out: '猫', opts: { tags: ['猫'] } },
    { field: 'tags', in: '1girl, solo', out: '1girl, solo', opts: { tags: [] } },
    { field: 'tags', in: '猫, 狗', out: '猫, 狗', opts: { tags: ['猫', '狗'] } }
  ],
  'tags-replace': [
    {
      field: 'tags',
      in: '1girl, blonde hair, solo',
      out: '1girl, yellow hair, solo',
      opts: { pairs: [['blonde hair', 'yellow hair']] }
    },
    {
      field: 'tags',
      in: '猫咪, 小猫, 草地',
      out: '猫, 小猫, 草地',
      opts: {
        pairs: [
          ['猫咪', '猫'],
          ['草地', '草地']
        ]
      }
    },
    {
      field: 'tags',
      in: 'blonde hair, smile',
      out: 'blonde hair, smile',
      opts: { pairs: [['blonde hair', 'blonde hair']] }
    },
    { field: 'tags', in: '猫, 狗', out: '猫, 狗', opts: { pairs: [['猫咪', '猫']] } }
  ],
  'length-budget': [
    {
      field: 'zh',
      in: '一只白猫坐在窗台上，阳光洒在它身上，背景是城市的天际线。',
      out: '一只白猫坐在窗台上，阳光洒在它身上。',
      opts: { zh: 20 }
    },
    {
      field: 'en',
      in: 'A white cat sits on a sill, bathed in sun, city skyline behind.',
      out: 'A white cat sits on a sill, bathed in sun.',
      opts: { en: 10 }
    },
    { field: 'tags', in: 'a, b, c, d', out: 'a, b', opts: { tags: 2 } },
    { field: 'zh', in: '一只白猫坐在窗台上。', out: '一只白猫坐在窗台上。', opts: { zh: 20 } },
    { field: 'en', in: 'A white cat.', out: 'A white cat.', opts: { en: 10 } }
  ]
}

function run(rule: string, c: Case): { text: string; count: number } {
  const r = RULES.get(rule)
  if (!r) throw new Error(`no rule ${rule}`)
  return r.apply(c.in, c.field, c.opts ?? {})
}

describe('cleanup rules: positive and negative cases in zh and en', () => {
  for (const [rule, cases] of Object.entries(CASES)) {
    for (const c of cases) {
      const positive = c.in !== c.out
      it(`${rule} ${positive ? 'changes' : 'leaves'} [${c.field}] ${JSON.stringify(c.in)}`, () => {
        const r = run(rule, c)
        expect(r.text).toBe(c.out)
        if (positive) expect(r.count).toBeGreaterThan(0)
        else expect(r.count).toBe(0)
      })
    }
  }

  it('every rule of every preset has cases in both a zh and an en (or zh-tag and en-tag) form', () => {
    for (const ids of Object.values(PRESETS)) {
      for (const id of ids) {
        const cases = CASES[id] ?? []
        const pos = cases.filter((c) => c.in !== c.out)
        const neg = cases.filter((c) => c.in === c.out)
        expect(pos.length, id).toBeGreaterThan(0)
        expect(neg.length, id).toBeGreaterThan(0)
        const hasHan = (cs: Case[]) => cs.some((c) => /\p{Script=Han}/u.test(c.in))
        const hasLatinOnly = (cs: Case[]) => cs.some((c) => !/\p{Script=Han}/u.test(c.in))
        expect(hasHan(pos) && hasHan(neg), `${id} zh`).toBe(true)
        // t2s is zh-only; its en negative shows Latin text is untouched
        if (id !== 't2s') expect(hasLatinOnly(pos), `${id} en positive`).toBe(true)
        expect(hasLatinOnly(neg), `${id} en negative`).toBe(true)
      }
    }
  })
})
