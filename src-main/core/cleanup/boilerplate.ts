/**
 * Stock-photo and watermark boilerplate, and photographer credits, in Chinese and English. Both
 * pattern sets run on both text fields: scraped "zh" text often carries English credits and the
 * other way round.
 */
import type { Rule } from './types'
import { replaceCount, tidy } from './tidy'

const TEXT = ['zh', 'en'] as const
/** the rest of a clause: up to Chinese or sentence punctuation, a bracket or a line end */
const REST_ZH = String.raw`[^，。；！？,;!?\n)）\]】]*`
const OPEN = String.raw`[（(【\[]?\s*`
const CLOSE = String.raw`\s*[)）】\]]?`

const STOCK_SITES_ZH =
  '视觉中国|摄图网|千图网|包图网|昵图网|汇图网|图虫创意|图虫网|全景网|站酷海洛|东方IC'

const BOILERPLATE_ZH: RegExp[] = [
  // 图片来源：网络 / (来源: 视觉中国) / 图片出处：…
  new RegExp(`${OPEN}(?:图片|图像|照片|图文)?(?:来源|出处|来自)\\s*[:：]${REST_ZH}${CLOSE}`, 'gu'),
  // 版权所有 …, 版权归…所有
  new RegExp(`${OPEN}(?:版权所有|版权归)${REST_ZH}${CLOSE}`, 'gu'),
  // 点击查看大图 / 点击查看原图 / 点击图片放大 / 长按保存图片
  /[（(【[]?\s*(?:点击|点此|轻触)(?:图片)?(?:查看)?(?:大图|原图|放大|查看)\s*[)）】\]]?|长按(?:图片)?保存(?:图片)?/gu,
  // 图片来自网络，如有侵权请联系删除 / 转载请注明出处 / 未经授权禁止转载
  /(?:图片|图像)?(?:来自|源自|取自)(?:网络|互联网)|如有侵权[^。\n]*?(?:删除|告知)|转载请注明(?:出处|来源)?|未经(?:授权|许可)[，,]?(?:禁止|不得|严禁)转载|(?:仅供|仅作)(?:参考|学习交流)(?:之用)?/gu,
  // 视觉中国供图 / 新华社发 / 摄图网 VCG12345
  new RegExp(`(?:${STOCK_SITES_ZH})(?:\\s*(?:供图|发|/供图))?(?:\\s*[A-Z]{2,5}\\d{3,})?`, 'gu'),
  /[\p{Script=Han}A-Za-z]{1,8}\s*\/?\s*供图/gu,
  /(?:高清|免费)?(?:素材|图片|壁纸)下载/gu
]

const CREDITS_ZH: RegExp[] = [
  // 摄影：张三 / 摄影师: 李四 / 拍摄：… / 图/文：… / 图片作者：…
  new RegExp(
    `${OPEN}(?:摄影师?|拍摄者?|图片作者|图\\s*[/／]\\s*文|图片提供|图片编辑)\\s*[:：/／|]\\s*${REST_ZH}${CLOSE}`,
    'gu'
  ),
  // (张三 摄) / 张三/摄
  /[\p{Script=Han}]{2,4}\s*[/／]\s*摄|[（(]\s*[\p{Script=Han}]{2,4}\s+摄\s*[)）]/gu
]

const STOCK_EN =
  'Shutterstock|Getty Images|iStock(?:photo)?|Alamy|Adobe Stock|Dreamstime|123RF|Depositphotos|Pond5|Pexels|Unsplash|Pixabay|Freepik|Stocksy|Bigstock|Can Stock Photo'

const BOILERPLATE_EN: RegExp[] = [
  // "Image may contain: 2 people, smiling" keeps what follows; the label is noise.
  /\b(?:image|photo|picture) may contain\s*:?/giu,
  // "royalty-free stock photo of …", "stock image", "stock photography"
  /\b(?:royalty[- ]free\s+)?stock\s+(?:photos?|images?|photography|pictures?|footage|illustrations?|vectors?)(?:\s+of)?\b/giu,
  /\bcopyright\s*(?:©|\(c\)|\d{4})[^.,;|\n]*/giu,
  /©\s*\d{4}(?:\s*[-–]\s*\d{4})?[^.,;|\n]*/gu,
  /\ball rights reserved\.?/giu,
  /\b(?:click|tap) (?:here )?(?:to (?:enlarge|zoom|view (?:full[- ]size|larger))|for (?:a )?(?:larger|full[- ]size)(?: image| version)?)\.?/giu,
  /\b(?:download|free download)\s+(?:this\s+)?(?:image|photo|picture|wallpaper)\b/giu,
  new RegExp(`\\b(?:via|from|on|by)\\s+(?:${STOCK_EN})\\b`, 'gu'),
  new RegExp(`\\b(?:${STOCK_EN})\\b(?:\\s*(?:ID|#)\\s*:?\\s*\\d+)?`, 'gu')
]

// A credited name: capitalised words ("Jane Doe", "J. R. Smith", "Ana-María López"), so "a photo
// by the lake" is never a credit.
const NAME_WORD = String.raw`\p{Lu}(?:\.|[\p{L}\p{M}'’-]*)`
const NAME = String.raw`${NAME_WORD}(?:[ \t]+(?:(?:van|de|von|da|di|le|la)[ \t]+)?${NAME_WORD}){0,4}`

const CREDITS_EN: RegExp[] = [
  new RegExp(
    `${OPEN}(?:[Pp]hoto(?:graph)?|[Ii]mage|[Pp]icture|[Pp]hotography)\\s+(?:by|courtesy of|©)\\s+${NAME}(?:\\s+(?:on|via|for|/)\\s+(?:${STOCK_EN}|\\p{Lu}[\\p{L}]+))?${CLOSE}`,
    'gu'
  ),
  new RegExp(
    `${OPEN}(?:[Pp]hoto|[Ii]mage|[Pp]hoto credit|[Cc]redit|[Pp]hotographer)\\s*:\\s*${NAME}(?:\\s*/\\s*\\p{Lu}[\\p{L}]+)?${CLOSE}`,
    'gu'
  ),
  new RegExp(`${OPEN}(?:[Cc]ourtesy of)\\s+${NAME}${CLOSE}`, 'gu')
]

// Every pattern of a set needs one of its gate's words, so a text without any skips the set:
// same result as running them all, a fraction of the regex scans (most captions carry none).
interface PatternSet {
  gate: RegExp
  patterns: RegExp[]
}

const BOILERPLATE: PatternSet[] = [
  {
    gate: new RegExp(
      `来源|出处|来自|版权|点击|点此|轻触|长按|源自|取自|侵权|转载|未经|仅供|仅作|供图|下载|${STOCK_SITES_ZH}`
    ),
    patterns: BOILERPLATE_ZH
  },
  {
    gate: new RegExp(
      `may contain|stock|copyright|©|rights reserved|click|tap|download|${STOCK_EN}`,
      'iu'
    ),
    patterns: BOILERPLATE_EN
  }
]
const CREDITS: PatternSet[] = [
  { gate: /摄|拍|图/, patterns: CREDITS_ZH },
  { gate: /photo|image|picture|credit|courtesy/iu, patterns: CREDITS_EN }
]

/**
 * removeAll over the sets in order, skipping a set whose gate does not match the text as it is when
 * the set's turn comes (a removal by an earlier set can join words, so the gate is not tested up
 * front).
 */
function removeGated(text: string, sets: readonly PatternSet[]): { text: string; count: number } {
  let s = text
  let count = 0
  for (const set of sets) {
    if (!set.gate.test(s)) continue
    for (const re of set.patterns) {
      const r = replaceCount(s, re, ' ')
      s = r.text
      count += r.count
    }
  }
  return count > 0 ? { text: tidy(s), count } : { text, count: 0 }
}

export const boilerplateRule: Rule = {
  id: 'boilerplate',
  label: 'Stock/watermark boilerplate removed',
  fields: TEXT,
  apply: (text) => removeGated(text, BOILERPLATE)
}

export const creditsRule: Rule = {
  id: 'credits',
  label: 'Photographer credits removed',
  fields: TEXT,
  apply: (text) => removeGated(text, CREDITS)
}
