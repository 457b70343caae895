/**
 * The guard: a step that would empty a caption, or take most of what it says, is held back for
 * that field of that item (the text stays as the step got it) and reported with the rule and the
 * reason, never applied silently. It is a pure function of the text before and after the step.
 *
 * What a caption says is measured in CONTENT UNITS: one per Han, kana or hangul character and one
 * per other word, leaving out what carries no content of its own:
 *  - URLs, e-mail addresses, and #tags / @handles of at most 10 characters that end at a space or
 *    punctuation (a longer "#夜景一位女孩站在广州塔前" counts in full: a tag that ate a sentence);
 *  - the words noise is made of: function words ("a", "by", "on") and the vocabulary of the noise
 *    rules (photo, stock, download, wallpaper, the stock sites and platforms, 图片, 来源, 侵删,
 *    点赞, 收藏, 小红书 …), numbers and resolutions ("123456789", "4000x3000").
 * So removing "Photo by Jane Doe on Unsplash" from "A foggy forest." weighs 2 units (the name) of
 * 4, and "| 小红书 | 点赞收藏" after "一只猫" weighs nothing, while a hashtag or a "来源：" value that
 * ran through a sentence takes units that are words of the caption.
 *
 * Held when:
 *  - `empties`: the caption had text and the step leaves none (for tags: no tag left);
 *  - `removes-most`: the step removes more than GUARD_SHARE (half) of the caption's content units.
 *    Rules that only rewrite, move or de-duplicate what is there (whitespace, punctuation, 繁→简,
 *    entities, repeated sentences, kohya's word replacements, the length budget the user sized)
 *    are judged on `empties` only; so are tags (a tag list is not prose).
 * Half separates the failures of issue 12 from correct removals over the noisy-caption corpus:
 * "图片来源：视觉中国 故宫角楼的雪景，红墙金瓦" cut to "红墙金瓦" removes 7 of 11 units, the correct
 * cut removes none.
 */
import { PLATFORM_EN, PLATFORM_ZH, STOCK_EN, STOCK_ZH } from './boilerplate'
import type { Field } from './types'

export type HoldReason = 'empties' | 'removes-most'

export interface GuardVerdict {
  reason: HoldReason
  /** share of the caption's content units the step would remove, 0–1 */
  removed: number
}

/** more than this share of content units removed is "most" */
export const GUARD_SHARE = 0.5

const DELIM = String.raw`\s#＃@＠，。！？、；：,.!?;:()（）\[\]【】`
/** the words of Chinese noise: taken out before Han characters are counted */
const NOISE_ZH = new RegExp(
  `${STOCK_ZH}|${PLATFORM_ZH}|图片|图像|照片|来源|出处|图源|网络|互联网|侵删|侵权|删除|联系|转发|转载|点赞|收藏|关注|评论|三连|高清|超清|壁纸|下载|素材|供图|原图|大图|水印|版权|所有|摄影|拍摄|出镜|模特|后期|修图|编辑于|发布于|全文|链接|网页|话题|超话|热门|原创|分享|免费|商用|复制|打开|搜索|直接|观看|视频|看看|作品|喜欢的话|记得|点个赞|一键三连`,
  'gu'
)
const NOISE_EN = new Set(
  [
    // function words
    'a an the of in on at by for to from with and or is are this that my me us our your you via it its as be more here see all no',
    // credits, stock, downloads, platforms' furniture
    'photo photos photograph photographs photography photographer image images picture pictures pic pics shot credit credits courtesy copyright rights reserved stock royalty free premium download downloads wallpaper wallpapers vector illustration illustrations 4k 8k 2k hd uhd fhd hq highres pin pins save saved find discover own email e mail contact dm message prints print licensing link bio follow like share click tap enlarge view full size larger may contain rt oc original content submitted post x xpost crosspost id source news editorial commercial use attribution required cc0 ltd inc llc',
    'jan january feb february mar march apr april may jun june jul july aug august sep sept september oct october nov november dec december',
    `${STOCK_EN} ${PLATFORM_EN}`.replace(/\\s\?|[|()?:]/g, ' ').toLowerCase()
  ]
    .join(' ')
    .split(/\s+/)
    .filter(Boolean)
)
const UNITS = new RegExp(
  [
    // (each starts only at a word start, so a long "a.a.a…" is scanned once, not once per dot)
    String.raw`(?<![\w.+-])(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|www\.)[^\s\p{Script=Han}]*`, // URL
    String.raw`(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+`, // e-mail
    String.raw`(?<![\w.+-])(?:[\w-]+\.)+[a-z]{2,}\/[^\s\p{Script=Han}]*`, // bare domain with a path
    String.raw`[#＃@＠][^${DELIM}]{1,10}(?:\[话题\])?[#＃]?(?![^${DELIM}])`, // short #tag / @handle
    String.raw`(?<han>[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])`,
    String.raw`(?<word>[\p{L}\p{N}]+)`
  ].join('|'),
  'gu'
)
const NUMBERISH = /^(?:\d+|\d+x\d+)$/

/** The content units of a text (see the header). */
export function contentUnits(text: string): number {
  let n = 0
  for (const m of text.replace(NOISE_ZH, ' ').matchAll(UNITS)) {
    const g = m.groups
    if (g?.han !== undefined) n++
    else if (g?.word !== undefined) {
      const w = g.word.toLowerCase()
      if (!NOISE_EN.has(w) && !NUMBERISH.test(w)) n++
    }
  }
  return n
}

/**
 * Whether a step's result must be held back. `shareTest` false judges emptiness only (for rules
 * that rewrite rather than remove). Returns null when the result may be applied.
 */
export function guardStep(
  before: string,
  after: string,
  field: Field,
  shareTest = true
): GuardVerdict | null {
  if (before.trim() !== '' && after.trim() === '') return { reason: 'empties', removed: 1 }
  if (!shareTest || field === 'tags') return null
  const u0 = contentUnits(before)
  if (u0 === 0) return null
  const removed = Math.max(0, (u0 - contentUnits(after)) / u0)
  return removed > GUARD_SHARE ? { reason: 'removes-most', removed } : null
}
