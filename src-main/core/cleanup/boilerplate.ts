/**
 * Credits, platform/stock boilerplate and post tags, in Chinese and English. Both languages' sets
 * run on both text fields: scraped "zh" text often carries English credits and the other way round.
 *
 * Two kinds of noise:
 *  - PHRASES, noise wherever they are: "图片来源：视觉中国", "侵删", "如有侵权请联系删除",
 *    "© Getty Images", "Shutterstock ID 123456789", "Photo by Jane Doe on Unsplash", "via @x on
 *    Twitter". A value after a label ("来源：…", "Photo: …") runs to the next space or punctuation,
 *    never through a sentence; a credited English name is capitalised words ("a photo by the lake"
 *    is no credit). The residues that token removal leaves ("via on Twitter", "Photo by", "出镜：",
 *    "email me at for prints") are phrases too, so the result is the same whichever rules ran before.
 *  - SEGMENTS that are noise only when they stand alone between separators (spans.ts `segments`):
 *    "| 小红书 | 点赞收藏", "Stock Photo - Alamy", "，高清壁纸，", "Free download | 4K wallpaper".
 *    Strong words (点赞收藏, 高清壁纸, Free download, Stock Photo, a stock site's name) make a
 *    segment noise after any separator; weak ones (a platform's name, 4K, HD, 壁纸, photography)
 *    only after a bar, a bracket, a stop or a line edge, not inside a comma list: "刷微博的女孩",
 *    "apps: WeChat, Weibo, Douyin" and "a 4K TV" stay.
 * Post tags are Reddit's bracketed title tags: [OC], [4000x3000], (OC), [Homemade].
 */
import type { Rule, RuleResult } from './types'
import { OPEN } from './chars'
import { removeUntilStable, segments, type Delim, type Span } from './spans'

const TEXT = ['zh', 'en'] as const
/** a space that is not a line break */
const S = String.raw`[^\S\n]`
/** a value after a label: to the next space, punctuation or bracket, at most 20 characters */
const VALUE = String.raw`[^\s，。；！？,;!?:：|｜()（）[\]【】]{1,20}`
/** the end of a segment, for residues that are noise only at its end */
const AT_END = String.raw`(?=${S}*(?:$|\n|[|｜,，;；:：.。!！)）\]】]))`
/** a value that ends where a value should: before a space, punctuation or the line end */
const ENDS = String.raw`(?=[\s，。；！？,;!?|｜)）\]】]|$)`

export const STOCK_ZH =
  '视觉中国|摄图网|千图网|包图网|昵图网|汇图网|图虫创意|图虫网|全景网|站酷海洛|东方IC|新浪图片|锐景创意|123RF中国'
export const STOCK_EN =
  'Shutterstock|Getty\\s?Images(?: Plus)?|iStock(?:photo)?|Alamy(?: Live News| Stock Photo)?|Adobe Stock|Dreamstime|123RF|Depositphotos|Pond5|Pexels|Unsplash|Pixabay|Freepik|Stocksy|Bigstock|Can Stock Photo|Vecteezy|rawpixel|Wallhaven|wallpaperaccess|Wallpaper Cave'
export const PLATFORM_ZH =
  '小红书|新浪微博|微博|抖音|快手|知乎|豆瓣|B站|哔哩哔哩|今日头条|百度图片|百度百科|百度贴吧|百度|LOFTER|站酷'
export const PLATFORM_EN =
  'Pinterest|Instagram|Twitter|Reddit|Facebook|Flickr|Tumblr|DeviantArt|ArtStation|Pixiv|Behance|Imgur|TikTok|Weibo|Xiaohongshu|Douyin|Lofter|Zcool|Threads|Bluesky'
const KNOWN_SOURCE = `${STOCK_ZH}|${PLATFORM_ZH}|${STOCK_EN}|${PLATFORM_EN}`
/**
 * the value of a source label: a known source that ends there ("百度百科）"), a stock agency's
 * name even with text run on ("视觉中国故宫角楼…" keeps 故宫角楼…), or up to the next space
 */
const SOURCE_VALUE = `(?:(?:${KNOWN_SOURCE})${ENDS}|(?:${STOCK_ZH}|${STOCK_EN})|${VALUE})`

// A credited name: capitalised words ("Jane Doe", "J. R. Smith", "Ana-María López"), at most four.
const NAME_WORD = String.raw`\p{Lu}(?:\.|[\p{L}\p{M}'’-]*)`
const NAME = String.raw`${NAME_WORD}(?:${S}+(?:(?:van|de|von|da|di|le|la)${S}+)?${NAME_WORD}){0,3}`
const HANDLE = String.raw`(?:@[\w.]{1,30}|\/?u\/[\w-]{3,20})`
const EMAIL = String.raw`[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}`
const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)'

// ---------------------------------------------------------------------------------------------
// Credits

const CREDITS_ZH: RegExp[] = [
  // 摄影：张三 / 摄影师: 李四 / 图/文：… / 出镜：@小王 (the value may be gone already: "出镜：")
  new RegExp(
    `(?:摄影师?|拍摄者?|图片作者|图片提供|图片编辑|图${S}*[/／]${S}*文|文${S}*[/／]${S}*图|出镜|模特|后期|修图|妆造|妆发|发型|服装|造型|化妆|调色|剪辑|文案)${S}*[:：]${S}*(?:@?${VALUE})?`,
    'gu'
  ),
  // 摄影/王刚, 图/视觉中国, 文/张三 (not "构图/色彩": the label starts a word)
  new RegExp(
    `(?<!\\p{Script=Han})(?:摄影师?|图片?|文|图文)${S}*[/／]${S}*(?![文图])@?${VALUE}`,
    'gu'
  ),
  // cr.小红书 / 图cr：某某 (Weibo's "credit")
  new RegExp(`(?<![A-Za-z])图?cr${S}*[.:：]${S}*(?:@?${VALUE})?`, 'gu'),
  // (张三 摄) / 张三/摄 / 记者 张三 摄
  /[（(][^\S\n]*\p{Script=Han}{2,4}[^\S\n]+摄[^\S\n]*[)）]|(?<!\p{Script=Han})\p{Script=Han}{2,4}[^\S\n]*[/／][^\S\n]*摄(?!\p{Script=Han})|(?:新华社|中新社)?记者[^\S\n]*\p{Script=Han}{2,3}[^\S\n]*摄/gu
]

const CREDITS_EN: RegExp[] = [
  // Photo by Jane Doe on Unsplash / photo by @jane / Photography by J. R. Smith for Vogue
  new RegExp(
    `(?:[Pp]hoto(?:graph|graphy|s)?|[Ii]mage|[Pp]icture|[Pp]ic|[Ss]hot)${S}+(?:by|courtesy of|©)${S}+(?:${HANDLE}|${NAME})(?:${S}+(?:on|via|for|from|/)${S}+(?:${STOCK_EN}|${PLATFORM_EN}|\\p{Lu}[\\p{L}]+))?`,
    'gu'
  ),
  // Photo: Jane Doe / Photo credit: J. R. Smith / Photographer: @jane
  new RegExp(
    `(?:[Pp]hoto(?: credit)?|[Ii]mage(?: credit)?|[Cc]redits?|[Pp]hotographer|[Pp]hotography)${S}*:${S}*(?:${HANDLE}|${NAME})(?:${S}*/${S}*(?:${STOCK_EN}|\\p{Lu}[\\p{L}]+))?`,
    'gu'
  ),
  new RegExp(
    `[Cc]ourtesy of${S}+(?:${STOCK_EN}|${NAME})|[Cc]redits?${S}+to${S}+(?:${HANDLE}|${NAME})`,
    'gu'
  ),
  // (by u/someone), and what is left of it once the mention went: (by)
  new RegExp(`[(（]${S}*by${S}*(?:${HANDLE}|${NAME})?${S}*[)）]`, 'gu'),
  // residues at the end of a segment: "Photo by", "Photo credit:", "📷:" once the name went
  new RegExp(
    `(?:[Pp]hoto(?:graph|graphy)?|[Ii]mage|[Pp]icture|[Ss]hot)${S}+(?:by|credit|courtesy of)${S}*:?${AT_END}|(?:[Pp]hoto(?: credit)?|[Ii]mage(?: credit)?|[Cc]redits?|[Pp]hotographer)${S}*:${AT_END}|[Cc]redits?${S}+to${AT_END}`,
    'gu'
  ),
  // "New mural by" at the very end of a line, once "@artist" went ("passers-by" stays)
  new RegExp(`(?<=[\\p{L}\\p{N}]${S}+)(?<![\\w-]|submitted${S}+)by${S}*$`, 'gmu')
]

// ---------------------------------------------------------------------------------------------
// Boilerplate phrases

const BOILERPLATE_ZH: RegExp[] = [
  // 图片来源：视觉中国 / (来源: 网络) / 图源：小红书@某某 / 图源网络
  new RegExp(
    `(?:图片|图像|照片|图文|视频|素材|灵感)?(?:来源|出处|图源)${S}*[:：]${S}*${SOURCE_VALUE}?|图源${S}*(?:网络|互联网|${KNOWN_SOURCE})|(?:图片|图像|照片)?(?:来源于?|来自|源自|取自|源于)(?:网络|互联网)`,
    'gu'
  ),
  // 侵删 / 如有侵权请联系删除 / 侵权必删
  /(?:如有|若有|若)侵权[^。！\n]{0,12}?(?:删除|删|告知)|侵权(?:必删|即删|立删|删)|侵删/gu,
  // 转载请注明出处 / 未经授权禁止转载 / 禁止搬运 / 仅供参考 / 版权归原作者所有 / 版权所有©2021
  new RegExp(
    `转载请注明(?:出处|来源|作者)?|未经(?:授权|许可|允许)[，,]?(?:禁止|不得|严禁|请勿)(?:转载|使用|商用|搬运)|(?:禁止|严禁|请勿)(?:转载|搬运|商用|二改|二传)|(?:图片)?(?:仅供|仅作)(?:参考|学习交流|欣赏|交流)(?:之用)?|版权(?:归原作者所有|归原作者|属于原作者|归作者所有)|版权所有(?:${S}*(?:©|\\(c\\)|（c）))?(?:${S}*\\d{4})?`,
    'gu'
  ),
  // 点击查看大图 / 点击图片放大 / 长按保存图片
  /(?:点击|点此|轻触)(?:图片)?(?:查看)?(?:大图|原图|放大|查看)|长按(?:图片)?(?:保存|识别)(?:图片|二维码)?/gu,
  // 视觉中国 / 视觉中国供图 / 视觉中国 VCG41N1234567 / 新华社供图 / 东方IC供图
  new RegExp(
    `(?:${STOCK_ZH})(?:${S}*[/／]?${S}*(?:供图|提供|发))?(?:${S}*[A-Z]{0,4}[0-9][0-9A-Z]{4,20})?|(?<![\\p{Script=Han}A-Za-z])[\\p{Script=Han}A-Za-z]{1,6}${S}*[/／]?${S}*供图|(?:新华社|中新社|人民网|央视新闻)${S}*(?:发|供图)|(?:图片|素材)?(?:ID|编号)${S}*[:：]${S}*[0-9A-Za-z]{4,30}`,
    'gu'
  ),
  // 高清壁纸下载 / 免费素材下载
  /(?:高清|免费)?(?:素材|图片|壁纸)下载/gu,
  // Weibo: O网页链接, 展开全文, L某某的微博视频, 来自微博 weibo.com, 来自iPhone客户端
  new RegExp(
    `O网页链接|(?:\\.{2,3}|…)?展开全文c?|收起全文d?|收起d|(?:\\d{4}[-年])?\\d{1,2}[-月]\\d{1,2}日?${S}+\\d{1,2}:\\d{2}|(?:今天|昨天|前天)${S}*\\d{1,2}:\\d{2}|L[\\p{Script=Han}\\w]{1,20}的微博视频|来自${S}*微博${S}*weibo\\.com|微博${S}*weibo\\.com|来自${S}*[^\\n，。；|]{1,20}?客户端`,
    'gu'
  ),
  // a contact label whose value is gone: 联系邮箱： / 微信：
  new RegExp(`(?:联系|商务|合作)?(?:邮箱|微信|QQ|电话|联系方式)${S}*[:：]${AT_END}`, 'gu'),
  // 来自小红书 / 分享自抖音App / 转自微博 / 图片来自百度
  new RegExp(
    `(?:图片)?(?:来自|分享自|转自|搬运自|发布于)${S}*(?:${PLATFORM_ZH}|${PLATFORM_EN})(?:${S}*(?:App|APP|图片))?`,
    'gu'
  ),
  // Xiaohongshu / Douyin page furniture: 编辑于 2024-03-12 广东, 抖音号：abc123, 复制打开抖音…
  new RegExp(
    `(?:编辑|发布|发表)于${S}*(?:(?:\\d{4}[-/.年])?\\d{1,2}[-/.月]\\d{1,2}日?|昨天|今天|前天|\\d{1,2}${S}*(?:分钟|小时|天)前)(?:${S}*\\d{1,2}:\\d{2})?(?:${S}+\\p{Script=Han}{2,3}${AT_END})?|(?:抖音号|小红书号|微博号)${S}*[:：]?${S}*[\\w.-]{1,30}|【[^【】\\n]{1,30}的作品】|(?<![\\w/])[A-Za-z0-9]{2,6}:\\/(?![\\w/])|(?:\\d{1,2}\\.\\d{1,2}${S}+)?复制(?:此|这条)?(?:链接|口令|内容)?[，,]?${S}*打开(?:抖音|Dou音|小红书|快手|淘宝)(?:App|APP)?(?:搜索)?[，,]?${S}*(?:直接观看视频|查看笔记|看看)?[！!]?`,
    'gu'
  )
]

const BOILERPLATE_EN: RegExp[] = [
  // "Image may contain: 2 people, smiling" keeps what follows; the label is noise.
  new RegExp(`\\b(?:image|photo|picture) may contain${S}*:?`, 'giu'),
  // "(a) royalty-free stock photo (of)", "Stock Photo 1234567890", "stock image"
  new RegExp(
    `(?:\\b(?:an?|the)${S}+)?\\b(?:royalty[- ]free${S}+)?stock${S}+(?:photography|photos?|images?|pictures?|footage|illustrations?|vectors?)\\b(?:${S}+(?:ID${S}*:?${S}*)?\\d{4,})?(?:${S}+of\\b)?`,
    'giu'
  ),
  // Dreamstime: "Image of animal, window, pet - 123456789"
  new RegExp(`\\bImage of\\b[^.\\n|]{0,200}?${S}+-${S}+\\d{5,}`, 'gu'),
  // © 2019 Acme Ltd. / © Getty Images / Copyright © Jane Doe / All rights reserved.
  new RegExp(
    `(?:©|\\(c\\)|\\b[Cc]opyright${S}*(?:©|\\(c\\)|(?=\\d{4})))${S}*(?:\\d{4}(?:${S}*[-–]${S}*\\d{4})?${S}*)?(?:by${S}+)?(?:${STOCK_EN}|${NAME})?(?:${S}*(?:Ltd|Inc|LLC|GmbH|Co)\\b\\.?)?`,
    'gu'
  ),
  new RegExp(`\\ball rights reserved\\.?`, 'giu'),
  new RegExp(
    `\\b(?:click|tap)${S}+(?:here${S}+)?(?:to${S}+(?:enlarge|zoom|view${S}+(?:full[- ]size|larger))|for${S}+(?:a${S}+)?(?:larger|full[- ]size)(?:${S}+image|${S}+version)?)\\.?`,
    'giu'
  ),
  // "Download this free photo about …", "Free download 4K image of …"
  new RegExp(
    `\\b(?:free${S}+)?download${S}+(?:(?:this|the|free|premium|hd|4k|high[- ]resolution)${S}+){0,3}(?:images?|photos?|pictures?|wallpapers?|vectors?|pngs?|jpe?gs?)\\b(?:${S}+(?:of|about|for)\\b)?`,
    'giu'
  ),
  // via/from Getty Images, Shutterstock ID 123456789, Image ID: 2AB3C4D
  new RegExp(
    `\\b(?:via|from|on|by|source:?)${S}+(?:${STOCK_EN})\\b|\\b(?:${STOCK_EN})${S}*(?:ID|#|No\\.?)${S}*:?${S}*\\d{4,}|\\b(?:[Ii]mage|[Pp]hoto|[Aa]sset|[Ff]ile)${S}+(?:ID|No\\.?)${S}*:?${S}*[A-Z0-9][A-Z0-9-]{3,}`,
    'gu'
  ),
  // Pinterest: Save this pin / Find this Pin and more on Travel by Jane Doe. / Saved from site.com
  new RegExp(
    `\\bsave${S}+this${S}+pin(?:${S}+for${S}+later)?\\b[!.]?|\\bFind this Pin and more on\\b[^\\n]{0,80}?(?:\\.(?=\\s|$)|(?=\\n|$))|\\bDiscover${S}+\\(and save!?\\)${S}+your own Pins on Pinterest\\.?|\\b(?:Saved from|Source${S}*:)${S}*(?:[\\w-]+\\.)+[a-z]{2,}\\b`,
    'giu'
  ),
  // Twitter/X: RT at a line start, via @user on Twitter (or what is left of it), tweet signatures
  new RegExp(
    `^RT\\b${S}*:?|\\bvia${S}+(?:${HANDLE}${S}+)?(?:(?:on|from)${S}+)?(?:Twitter|X|Instagram|IG|Pinterest|Facebook|Tumblr|Reddit|Weibo|TikTok)(?![\\w-])|\\bvia${AT_END}|\\b[Hh]\\/[Tt](?:${S}+${HANDLE})?${AT_END}|[—–]{1,2}${S}*${NAME}${S}*(?:\\(${S}*${HANDLE}?${S}*\\))?${S}*${MONTH}${S}+\\d{1,2},?${S}+\\d{4}`,
    'gmu'
  ),
  // "email me at x@y.com for prints", "DM me for prints", "link in bio", "follow me on Instagram"
  new RegExp(
    `\\b(?:e-?mail|contact|DM|message)${S}+(?:me|us)(?:${S}+(?:at|via|on))?(?:${S}+${EMAIL})?${S}+for${S}+(?:prints?|licensing|commissions?|inquiries|enquiries|business|collabs?|collaborations?|bookings?|purchases?)\\b|\\b(?:prints?|licensing)${S}+(?:available${S}+)?(?:at|via)${S}*(?:${EMAIL})?${AT_END}|\\blink${S}+in${S}+(?:my${S}+)?bio\\b|\\bfollow${S}+(?:me|us)(?:${S}+(?:on${S}+)?(?:${PLATFORM_EN}))?${S}+for${S}+more(?:${S}+[a-z]+){0,4}\\b[!.]*|\\bfollow${S}+(?:me|us)${S}+on${S}+(?:${PLATFORM_EN})\\b`,
    'giu'
  ),
  // Reddit: submitted by u/x, x-post from r/pics (or what is left once the handle went),
  // "Edit: thanks for the gold!", "PsBattle:"
  new RegExp(
    `\\bEdit${S}*\\d?${S}*:${S}*(?:thanks?|thank you)\\b[^\\n.!]{0,60}[.!]*|^PsBattle${S}*:|\\bsubmitted${S}+by(?:${S}+${HANDLE})?${AT_END}|\\b(?:x-?post(?:ed)?|cross-?post(?:ed)?)(?:${S}+from)?(?:${S}+\\/?r\\/[\\w-]{3,21})?${AT_END}`,
    'gimu'
  )
]

// ---------------------------------------------------------------------------------------------
// Segments

/** strong: noise as a whole segment after any separator */
const STRONG_ZH =
  '(?:求|记得|欢迎|别忘了|喜欢的?话|喜欢的?|请|可以|多多)*(?:点赞|收藏|关注|评论|转发|点个赞|一键三连|三连)(?:[、+＋&和]?(?:点赞|收藏|关注|评论|转发))*(?:一下)?(?:哦|呀|吧|啦|呢|了)*|转发微博|资料图片?|高清壁纸|高清图片|高清大图|高清图|手机壁纸|电脑壁纸|桌面壁纸|壁纸分享|图片分享|美图分享|免费下载|高清下载|无水印|高清无水印|原图|网络图片|百度(?:图片|百科|一下|快照|贴吧)(?:搜索)?|图片素材|正版图片|摄影图片|可商用|免费商用|上热门|求上热门|DOU\\+|求关注|已关注|网页链接|图片来自网络'
const STRONG_EN = [
  'free download',
  'free stock photos?',
  'stock (?:photos?|images?|photography|pictures?)',
  'royalty[- ]free',
  '(?:4k|8k|hd|uhd|full hd|1080p) wallpapers?',
  '(?:desktop|phone|iphone|mobile|android|laptop) wallpapers?',
  'wallpapers? download',
  '(?:instant|digital) download',
  'free photo',
  'premium photo',
  'premium vector',
  'free vector',
  'saved from',
  'see more',
  'read more',
  'click here',
  'link in bio',
  'like and share',
  'like & share',
  'follow for more',
  'all rights reserved',
  'cc0',
  'no attribution required',
  'free for commercial use',
  'news photo',
  'editorial (?:stock )?photo',
  'alamy stock photo',
  STOCK_EN
].join('|')
/** weak: noise as a whole segment only after a bar, a bracket, a stop or a line edge */
const WEAK_ZH = `${PLATFORM_ZH}|组图|4K高清|高清|超清|蓝光|原画|壁纸|图片|原创|精选|推荐|热门|合集|图集|美图|摄影|大图|转`
const WEAK_EN = [
  PLATFORM_EN,
  '4k|8k|2k|hd|uhd|fhd|1080p|720p|hq|highres',
  'wallpapers?',
  'photos?',
  'images?',
  'pictures?',
  'photography',
  'original',
  '\\d{3,5} ?[x×] ?\\d{3,5}(?: ?px)?'
].join('|')
// Latin entries must be whole words; Han entries have no word boundaries to respect.
const WORDS = (alts: string): RegExp =>
  new RegExp(`(?<![A-Za-z0-9])(?:${alts})(?![A-Za-z0-9])`, 'gi')
const STRONG = [new RegExp(`(?:${STRONG_ZH})`, 'gu'), WORDS(STRONG_EN)]
const WEAK = [new RegExp(`(?:${WEAK_ZH})`, 'gu'), WORDS(WEAK_EN)]
/** Pinterest titles: "Pin on Travel", "Pin by Jane Doe on Home decor" (the board is the segment) */
const PIN_TITLE = /^Pin(?: by [^|\n]{1,40}?)? on \S/
/** what may be left of a vocabulary-only segment: spaces and punctuation, not a # or @ (a tag) */
const BLANK = /^[\s\p{P}\p{S}\p{M}]*$/u
const TAG_MARK = /[#＃@＠]/
const WEAK_OK: ReadonlySet<Delim> = new Set(['edge', 'bar', 'term', 'bracket', 'space', 'colon'])

function strip(s: string, res: readonly RegExp[]): { rest: string; n: number } {
  let n = 0
  let rest = s
  for (const re of res) {
    rest = rest.replace(re, () => {
      n++
      return ' '
    })
  }
  return { rest, n }
}

/** a page title's tail: "西安钟楼图片大全" */
const TITLE_TAIL = /(?:高清)?(?:图片|壁纸)大全$/u

/** the character before a segment, spaces skipped: its delimiter */
function delimChar(line: string, at: number): string {
  let i = at - 1
  while (i >= 0 && /\s/.test(line[i]!)) i--
  return line[i] ?? ''
}

/**
 * Segments of the text that are nothing but boilerplate words; a page title's "…图片大全" tail;
 * and the keyword a Baidu title repeats after "_" ("西安钟楼夜景_西安钟楼").
 */
function segmentSpans(text: string): Span[] {
  const out: Span[] = []
  let lineStart = 0
  for (const line of text.split('\n')) {
    const segs = segments(line)
    for (const seg of segs) {
      const s = line.slice(seg.start, seg.end)
      const at = (start: number, end: number): void => {
        out.push({ start: lineStart + start, end: lineStart + end })
      }
      const tail = TITLE_TAIL.exec(s)
      if (tail) {
        at(seg.start + tail.index, seg.end)
        continue
      }
      // the keyword again, maybe with 图片 after it: "苏堤春晓_苏堤春晓图片_百度图片"
      const bare = s.replace(/(?:高清)?(?:图片|壁纸)$/u, '')
      if (
        bare.length >= 2 &&
        /^\p{Script=Han}+$/u.test(bare) &&
        delimChar(line, seg.start) === '_' &&
        segs.some(
          (o) =>
            o !== seg && o.end - o.start >= bare.length && line.slice(o.start, o.end).includes(bare)
        )
      ) {
        at(seg.start, seg.end)
        continue
      }
      let noise = false
      if (PIN_TITLE.test(s) && s.split(' ').length <= 8) noise = true
      else {
        const strong = strip(s, STRONG)
        const weak = strip(strong.rest, WEAK)
        if (BLANK.test(weak.rest) && !TAG_MARK.test(weak.rest) && strong.n + weak.n > 0) {
          noise = strong.n > 0 || (WEAK_OK.has(seg.left) && WEAK_OK.has(seg.right))
        }
      }
      if (!noise) continue
      // a clause of its own takes its stop with it ("… 记得点赞收藏哦～"); a list's last item
      // leaves the stop to the sentence ("A lake, stock photo." keeps the full stop)
      let end = seg.end
      if (seg.right === 'term' && seg.left !== 'clause' && seg.left !== 'colon') {
        while (end < line.length && /[.。!！?？…~～]/u.test(line[end]!)) end++
      }
      at(seg.start, end)
    }
    lineStart += line.length + 1
  }
  return out
}

// ---------------------------------------------------------------------------------------------

/** Matches of every pattern, overlapping ones merged (leftmost first), each one counted once. */
function phraseSpans(text: string, patterns: readonly RegExp[]): Span[] {
  const all: Span[] = []
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      if (m[0].trim() !== '') all.push({ start: m.index, end: m.index + m[0].length })
    }
  }
  if (all.length < 2) return all
  all.sort((a, b) => a.start - b.start || b.end - a.end)
  const out: Span[] = [all[0]!]
  for (const s of all.slice(1)) {
    const last = out[out.length - 1]!
    if (s.start < last.end) last.end = Math.max(last.end, s.end)
    else out.push(s)
  }
  return out
}

interface Family {
  /** a text without a match of the gate cannot hold any of the family's noise */
  gate: RegExp
  patterns: RegExp[]
}

interface Segments {
  /** false: the text cannot hold a noise segment */
  gate: (text: string) => boolean
  find: (text: string) => Span[]
}

/** `gates: false` builds the rule without its gates, for the test that gates never change a result */
function familyRule(
  id: string,
  label: string,
  families: readonly Family[],
  segs?: Segments,
  gates = true
): Rule {
  const open = (f: Family, text: string): boolean => !gates || f.gate.test(text)
  const openSegs = (text: string): boolean => segs !== undefined && (!gates || segs.gate(text))
  const find = (text: string): Span[] => {
    const spans: Span[] = []
    for (const f of families) if (open(f, text)) spans.push(...phraseSpans(text, f.patterns))
    if (spans.length > 0 || !openSegs(text)) return spans
    // segments are judged once the phrases are gone (the next pass of removeUntilStable)
    return segs!.find(text)
  }
  const gated = (text: string): boolean => families.some((f) => open(f, text)) || openSegs(text)
  return {
    id,
    label,
    fields: TEXT,
    apply: (text): RuleResult => (gated(text) ? removeUntilStable(text, find) : { text, count: 0 })
  }
}

// Gates: every pattern of a family needs one of its gate's words, so a text without any skips the
// family (most captions carry none); gates are plain (no /u) where they can be, which V8 runs
// faster. A noise segment starts after a separator or a line start, so its gate asks for a
// vocabulary word there ("…写实摄影风格" and "a photo of" do not open the segment scan).
const GATE_CREDITS_ZH =
  /摄|图片作者|图片提供|图片编辑|[图文][^\S\n]*[/／]|出镜|模特|后期|修图|妆造|妆发|发型|服装|造型|化妆|调色|剪辑|文案|cr[^\S\n]*[.:：]/
// (the heads of the credit patterns, which may follow glued text: "Free downloadPhoto by Jane Doe")
const GATE_CREDITS_EN =
  /(?:photo(?:graph|graphy|s)?|image|picture|pic|shot)[^\S\n]+(?:by|courtesy|©|credit)|(?:photo|image|credits?|photographer|photography)(?: credit)?[^\S\n]*:|courtesy of|credits?[^\S\n]+to|[(（][^\S\n]*by|\bby[^\S\n]*$/im
const GATE_BOILERPLATE_ZH = new RegExp(
  [
    '来源|出处|图源|来自|源自|取自|源于|侵|转载|未经|禁止|严禁|请勿|仅供|仅作|版权|点击|点此|轻触|长按',
    '供图|提供|新华社|中新社|人民网|央视新闻|ID|编号|下载|网页链接|全文|微博|客户端',
    '邮箱|微信|QQ|电话|联系方式|分享自|转自|搬运自|发布于|编辑于|发表于|的作品|复制|抖音号|小红书号|微博号',
    '收起|\\d:\\d\\d|:\\/',
    STOCK_ZH
  ].join('|')
)
// (letter boundaries, not \b: "_via" or "x_Photo" must not slip past a gate)
const GATE_BOILERPLATE_EN = new RegExp(
  `(?<![a-z0-9])(?:${[
    'may contain|stock|image of|copyright|rights reserved|click|tap|download',
    '(?:image|photo|asset|file)[^\\S\\n]+(?:id|no)|this pin|own pins|saved from',
    'via|e-?mail|contact|dm|message|prints?|licensing|link[^\\S\\n]+in|follow',
    'psbattle|submitted|x-?post|cross-?post',
    STOCK_EN
  ].join(
    '|'
  )})(?![a-z0-9])|(?<![a-z0-9])(?:source|edit[^\\S\\n]*\\d?)[^\\S\\n]*:|©|\\(c\\)|[—–]|(?<![a-z0-9])h\\/t|^rt(?![a-z0-9])`,
  'im'
)
/**
 * The segment gate: a vocabulary word that may open a segment, i.e. only spaces, emoji and other
 * non-word characters stand between it and a delimiter (every delimiter of spans.ts delimAt), the
 * line start, or (a space after Chinese separates) a CJK character or a space before a Chinese
 * word. "…写实摄影风格" and "a photo of" do not open the segment scan. One scan for the words and a
 * walk back over the run before each: linear (the runs walked over are disjoint).
 */
const SEG_DELIMS = new Set(
  '|｜丨¦—>»›/-–·•・_,，、;；:：.。!！?？…~～()（）[]【】〔〕「」『』《》〈〉{}“”‘’"\n'
)
const VOCAB_ZH = new RegExp(`${STRONG_ZH}|${WEAK_ZH}`, 'g')
const VOCAB_EN = new RegExp(
  `(?<![A-Za-z0-9])(?:pin (?:on|by)\\b|(?:${STRONG_EN}|${WEAK_EN})(?![A-Za-z0-9]))`,
  'gi'
)
const SEG_OTHER = /(?:图片|壁纸)大全|[\u4e00-\u9fff][^\S\n]*_|_[^\S\n]*[\u4e00-\u9fff]/
/** Chinese vocabulary needs a CJK character (or is "DOU+"), so Latin-only text skips its scan */
const HAS_CJK = /[\u3000-\u9fff\uff00-\uffef]|DOU\+/

const isWordUnit = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x4e00 && c <= 0x9fff) ||
  c === 0x0a
const isCjkUnit = (c: number): boolean =>
  (c >= 0x3000 && c <= 0x9fff) || (c >= 0xff00 && c <= 0xffef)

/** whether the word at `at` may open a segment (see above); `zh`: a space before it is enough */
function opensSegment(text: string, at: number, zh: boolean): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text.charCodeAt(i)
    if (isWordUnit(c)) return c === 0x0a || (!zh && isCjkUnit(c))
    const ch = text[i]!
    if (SEG_DELIMS.has(ch)) return true
    if (zh && /\s|\u200b|\u2060|\ufeff/.test(ch)) return true
  }
  return true
}

function anyOpening(text: string, vocab: RegExp, zh: boolean): boolean {
  for (const m of text.matchAll(vocab)) if (opensSegment(text, m.index, zh)) return true
  return false
}

const segmentGate = (text: string): boolean =>
  anyOpening(text, VOCAB_EN, false) ||
  (HAS_CJK.test(text) && (anyOpening(text, VOCAB_ZH, true) || SEG_OTHER.test(text)))

const CREDITS: Family[] = [
  { gate: GATE_CREDITS_ZH, patterns: CREDITS_ZH },
  { gate: GATE_CREDITS_EN, patterns: CREDITS_EN }
]
const BOILERPLATE: Family[] = [
  { gate: GATE_BOILERPLATE_ZH, patterns: BOILERPLATE_ZH },
  { gate: GATE_BOILERPLATE_EN, patterns: BOILERPLATE_EN }
]
const SEGMENTS: Segments = { gate: segmentGate, find: segmentSpans }

export const creditsRule: Rule = familyRule('credits', 'Photographer credits removed', CREDITS)
export const boilerplateRule: Rule = familyRule(
  'boilerplate',
  'Stock/platform boilerplate removed',
  BOILERPLATE,
  SEGMENTS
)

/** The two rules without their gates: what the gates must never change (cleanup-fixpoint test). */
export const UNGATED: Readonly<Record<'credits' | 'boilerplate', Rule>> = {
  credits: familyRule('credits', '', CREDITS, undefined, false),
  boilerplate: familyRule('boilerplate', '', BOILERPLATE, SEGMENTS, false)
}

// [OC], [4000x3000], [OC] [4000 × 3000], (OC), [OC, 3024x4032], [Homemade], [I ate], [deleted]
const POST_TAG_ITEM = String.raw`(?:OC|O\.C\.|original content|homemade|i ate|pro\/chef|deleted|removed|nsfw|sfw|hq|hd|uhd|4k|8k|\d{3,5}${S}*[x×*]${S}*\d{3,5}(?:${S}*px)?)`
const POST_TAG = new RegExp(
  String.raw`[\[(（【]${S}*${POST_TAG_ITEM}(?:${S}*[,/|&]${S}*${POST_TAG_ITEM}){0,3}${S}*[\])）】]`,
  'giu'
)

export const postTagRule: Rule = {
  id: 'post-tags',
  label: 'Post tags removed ([OC], [4000x3000])',
  fields: TEXT,
  needs: OPEN,
  apply(text) {
    if (!/[[(（【]/.test(text)) return { text, count: 0 }
    return removeUntilStable(text, (t) =>
      [...t.matchAll(POST_TAG)].map((m) => ({ start: m.index, end: m.index + m[0].length }))
    )
  }
}
