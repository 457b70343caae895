/**
 * The connecting words of a structured caption (environment-free: the core's grammar renders with
 * them and the studio's fields form shows them beside each field, so what the form shows is what
 * the paragraph says).
 *
 * Chinese sentences choose their lead-in by the value, so the paragraph reads like Hunyuan's own
 * captions instead of doubling a copula:
 *  - background: "背景是城市街道" for a noun phrase; "背景中，窗外是广州塔" when the value says 是/有/为
 *    itself; the value alone when it starts with 背景 ("背景里的树");
 *  - lighting: "光线为柔和的晨光" for a noun phrase of light; "光线柔和" for a short quality; the
 *    value alone when it is already about light ("阳光洒在桌上", "光线昏暗").
 * Every other join is fixed. The choice is a function of the value only, so the strict parser can
 * accept a reading only when it re-renders the same way (the round trip stays exact).
 */
import type { CaptionFieldName, Lang } from './api'

export interface FieldJoin {
  /** written before the value */
  pre: string
  /** written after the value */
  post: string
}

/** The lead-ins a Chinese background / lighting sentence may have (every one `renderJoin` picks). */
export const ZH_SENTENCE_PRES: Partial<Record<CaptionFieldName, readonly string[]>> = {
  background: ['背景是', '背景中，', ''],
  lighting: ['光线为', '光线', '']
}

const COPULA = /是|为|有/u
const ABOUT_LIGHT = /明亮|昏暗|阴影|明暗|光影|照射|照亮|照在|照进/u
/** words of other sentences' formulas: a value holding them keeps its plain lead-in */
const FORMULA = /^(?:画面|背景是|背景为|光线为)|蕴含|展现|呈现|采用|构图|风格|氛围|文字为/u

/** The lead-in of a Chinese background or lighting sentence for this value (see the header). */
export function zhSentencePre(field: CaptionFieldName, v: string): string | null {
  // a value of several sentences keeps the plain lead-in (a bare one would not read back)
  if (/[。！？!?]/u.test(v))
    return field === 'background' ? '背景是' : field === 'lighting' ? '光线为' : null
  if (FORMULA.test(v) && !(field === 'background' && /^背景是|^背景为/u.test(v)))
    return field === 'background' ? '背景是' : field === 'lighting' ? '光线为' : null
  if (field === 'background') {
    if (v.startsWith('背景')) return ''
    return COPULA.test(v) ? '背景中，' : '背景是'
  }
  if (field === 'lighting') {
    if (v.startsWith('光')) return ''
    if (v.endsWith('光')) return '光线为'
    if (v.includes('光')) return ''
    if ([...v].length <= 4) return '光线'
    return ABOUT_LIGHT.test(v) ? '' : '光线为'
  }
  return null
}

const FIXED: Record<Lang, Partial<Record<CaptionFieldName, FieldJoin>>> = {
  zh: {
    background: { pre: '背景是', post: '。' },
    lighting: { pre: '光线为', post: '。' },
    text: { pre: '画面中的文字为“', post: '”。' },
    composition: { pre: '采用', post: '构图' },
    style: { pre: '呈现出', post: '风格' },
    culture: { pre: '蕴含了', post: '文化' },
    atmosphere: { pre: '展现了', post: '氛围' }
  },
  en: {
    background: { pre: 'The background is ', post: '.' },
    lighting: { pre: 'The lighting is ', post: '.' },
    text: { pre: 'The text in the image reads "', post: '".' },
    composition: { pre: 'adopts ', post: ' composition' },
    style: { pre: 'shows ', post: ' style' },
    culture: { pre: 'contains ', post: ' culture' },
    atmosphere: { pre: 'creates ', post: ' atmosphere' }
  }
}

/** The fixed joins of a language (the grammar's defaults). */
export function fixedJoin(field: CaptionFieldName, lang: Lang): FieldJoin | null {
  return FIXED[lang][field] ?? null
}

/**
 * The words around a field's value as the paragraph writes them (null for subject, appearance and
 * action, which are joined by commas only). `value` is the field as entered (trimmed here).
 */
export function renderJoin(field: CaptionFieldName, lang: Lang, value: string): FieldJoin | null {
  const fixed = fixedJoin(field, lang)
  if (!fixed) return null
  if (lang === 'zh') {
    const pre = zhSentencePre(field, value.trim())
    if (pre !== null) return { pre, post: fixed.post }
  }
  return fixed
}
