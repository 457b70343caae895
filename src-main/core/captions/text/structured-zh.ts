/**
 * Chinese clause patterns for the lenient parser: Glossa's canonical formulas plus the variants
 * seen in Hunyuan-Captioner's published outputs (照片采用了…构图的方式, 构图方式是…, 呈现出…的效果,
 * 这张照片蕴含了…, 同时也展现了…的氛围). Every pattern is anchored to a whole clause, so a keyword in
 * the middle of a phrase (一只呈现出复古风格的猫) is not a formula.
 */
import type { CaptionFieldName } from '../../../shared/api'
import { FIELD_RANK } from './structured-grammar'

export interface ClauseHit {
  field: CaptionFieldName
  value: string
}

const WHO = '(?:这张照片|这张图片|这幅画|照片|画面|图片|图像|整体|整张图)?'
const ALSO = '(?:同时也|同时|也|还|并)?'

const PATTERNS: [CaptionFieldName, RegExp][] = [
  ['background', /^背景(?:是|为)(.+)$/u],
  ['background', /^以(.+)为背景$/u],
  ['lighting', /^光线(?:为|是)(.+)$/u],
  ['text', /^(?:画面中的文字为|画面上写着|上面写着|文字为|写着)“(.+)”$/u],
  [
    'composition',
    new RegExp(`^${WHO}${ALSO}(?:采用了?|使用了?|运用了?)(.+?)(?:的)?构图(?:的方式|方式)?$`, 'u')
  ],
  ['composition', /^构图方式(?:是|为)(.+?)(?:构图)?$/u],
  ['style', new RegExp(`^${WHO}${ALSO}呈现(?:出了?|了)(.+?)(?:的)?(?:风格|效果)$`, 'u')],
  ['culture', new RegExp(`^${WHO}${ALSO}蕴含(?:了|着)(.+?)(?:文化)?$`, 'u')],
  [
    'atmosphere',
    new RegExp(
      `^${WHO}${ALSO}(?:展现了|展现出了?|营造了|营造出了?|散发着)(.+?)(?:的)?(?:氛围|气氛)$`,
      'u'
    )
  ]
]

/** A bare "X风格" clause only counts as the style once the caption is past its content. */
const BARE_STYLE = /^(.{1,12}?)风格$/u

/** Glossa's own lead-ins (shared/caption-joins.ts): "背景中，…" */
const LEAD_INS: Record<string, CaptionFieldName> = { 背景中: 'background' }

export function leadInZh(clause: string): CaptionFieldName | null {
  return LEAD_INS[clause] ?? null
}

/** A clause about the light ("阳光洒在桌上", "光线柔和") after the first one: the lighting. */
const LIGHT_CLAUSE =
  /^(?:(?:阳光|灯光|月光|日光|晨光|霞光|夕阳|烛光|光线|光影|天光|自然光|暖光|冷光)[^，。]{0,20}|[^，。]{0,8}(?:光线|灯光|阳光)(?:柔和|明亮|昏暗|充足|温暖|刺眼|斑驳)[^，。]{0,8})$/u

/** "一位少女坐在咖啡馆的窗边" → subject 一位少女, action 坐在咖啡馆的窗边 */
const SUBJECT_ACTION =
  /^((?:一|两|三|几|这|那)[位只个名条辆座张幅片群对头匹棵朵艘架栋间盏把件台][^，。]{1,12}?)((?:正在|正|站在|坐在|躺在|趴在|蹲在|跪在|走在|跑在|靠在|倚在|站着|坐着|躺着|趴着|蹲着|走着|站|坐|躺|趴|蹲|行走|奔跑|漫步|飞翔|停靠|停在|望着|看着|凝视|注视|手持|手拿|抱着|举着|拿着|骑着)[^，。]+)$/u

export function splitSubjectZh(clause: string): { subject: string; action: string } | null {
  const m = SUBJECT_ACTION.exec(clause)
  return m?.[1] && m[2] ? { subject: m[1], action: m[2] } : null
}

export function classifyClauseZh(clause: string, rank: number): ClauseHit | null {
  for (const [field, re] of PATTERNS) {
    const m = re.exec(clause)
    if (m?.[1]) return { field, value: m[1] }
  }
  if (rank >= FIELD_RANK.subject && LIGHT_CLAUSE.test(clause))
    return { field: 'lighting', value: clause }
  if (rank >= FIELD_RANK.composition) {
    const m = BARE_STYLE.exec(clause)
    if (m?.[1]) return { field: 'style', value: m[1] }
  }
  return null
}

const APPEARANCE =
  /^(?:身穿|穿着|穿|身着|戴着|戴|头戴|留着|有着|拥有|长着|披着|扎着|梳着|系着|手持|长发|短发|卷发|头发|皮肤|眼睛|双眼|脸上|嘴唇|面带|身材|体型|毛色|颜色|通体)/u
const ACTION =
  /^(?:正在|正|站|坐|躺|趴|蹲|跪|走|跑|跳|飞|游|骑|拿|握|举|抱|提|推|拉|看|望|凝视|注视|微笑|笑|低头|抬头|转身|停靠|停|行驶|摆放|放着|摆着|挂着|周围|在.+(?:上|中|里|前|后|旁|边|下)|靠|倚|弹|唱|吃|喝|玩)/u

/** Whether a first-sentence clause reads as appearance or action. */
export function headKindZh(clause: string): 'appearance' | 'action' | null {
  if (APPEARANCE.test(clause)) return 'appearance'
  if (ACTION.test(clause)) return 'action'
  return null
}

/** Clauses of a Chinese paragraph: split at ，。；！？ outside “quotes”. */
export function clausesZh(text: string): string[] {
  return splitOutsideQuotes(text, (ch) => '，,。；;！!？?\n'.includes(ch))
}

export function splitOutsideQuotes(
  text: string,
  isSep: (ch: string, next: string) => boolean
): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | null = null
  const chars = Array.from(text)
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string
    if (quote) {
      cur += ch
      if (ch === quote) quote = null
      continue
    }
    if (ch === '“') quote = '”'
    else if (ch === '"') quote = '"'
    if (!quote && isSep(ch, chars[i + 1] ?? '')) {
      if (cur.trim()) out.push(cur.trim())
      cur = ''
      continue
    }
    cur += ch
  }
  if (cur.trim()) out.push(cur.trim())
  return out
}
