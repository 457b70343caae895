/**
 * SQL for the grid filters the statistics dashboard adds (a click on a plot filters the grid):
 * tags, width / height / aspect ranges, caption length and kohya bucket. Each returns WHERE terms
 * over `images i` (`col` prefixes columns with `+` when the page query must stay on its sort
 * index). Ranges are half-open, `min ≤ x < max`, like the dashboard's histogram bins.
 *
 *  - tags: one `EXISTS` per tag, a probe of the `tags_by_tag (tag, image_id)` index;
 *  - caption length: characters are counted live (`length()` of the caption); CLIP / mT5 token
 *    estimates come from caption_metrics, which triggers keep current on every caption write;
 *  - has text: see hasTextCondition;
 *  - bucket: the bucket manager of review/buckets.ts reproduced in SQL for the image's size:
 *    with predefined resolutions, the image's own size when it is one of them, else the first
 *    resolution (in sorted order) with the closest aspect ratio; with bucket_no_upscale, the size
 *    (shrunk to the max area, rounded to steps, when bigger) cut down to multiples of steps.
 *    The arithmetic is the same IEEE double arithmetic as the JavaScript, so both always agree.
 */
import type { BucketFilter, ImageFilter, PixelRange } from '../../shared/api'
import { makeBucketResolutions } from '../review/buckets'
import { FLAG_WATERMARK } from './flags'

export interface Terms {
  terms: string[]
  params: (string | number)[]
}

function rangeTerms(expr: string, r: PixelRange | undefined, out: Terms): void {
  if (!r) return
  if (r.min !== undefined) {
    out.terms.push(`${expr} >= ?`)
    out.params.push(r.min)
  }
  if (r.max !== undefined) {
    out.terms.push(`${expr} < ?`)
    out.params.push(r.max)
  }
}

const int = (n: number): string => String(Math.trunc(n))

/** `int(x + 0.5)` rounded down to a multiple of `steps` (BucketSelector.roundToSteps). */
function roundToSteps(x: string, steps: number): string {
  const i = `CAST((${x}) + 0.5 AS INTEGER)`
  return `(${i} - ${i} % ${int(steps)})`
}

/** The condition "the bucket manager puts image i in b" (width and height known and > 0). */
export function bucketCondition(b: BucketFilter, w: string, h: string): string {
  const known = `${w} > 0 AND ${h} > 0`
  if (!b.enableBucket) {
    const [rw, rh] = b.resolution
    return b.width === rw && b.height === rh ? known : '0'
  }
  if (!b.noUpscale) {
    const pre = makeBucketResolutions(b.resolution, b.minReso, b.maxReso, b.steps)
    const k = pre.findIndex(([pw, ph]) => pw === b.width && ph === b.height)
    if (k < 0) return '0'
    const values = pre.map(([pw, ph], j) => `(${j}, ${int(pw)}, ${int(ph)})`).join(', ')
    const own = pre.map(([pw, ph]) => `(${int(pw)}, ${int(ph)})`).join(', ')
    // bucket k is the first minimum of |ratio - aspect| in sorted order (numpy argmin): no
    // earlier resolution is as close and no later one is closer (ratios as w / h doubles)
    const err = (pw: string, ph: string) => `abs(${pw} * 1.0 / ${ph} - ${w} * 1.0 / ${h})`
    const mine = err(int(b.width), int(b.height))
    const nearest = `NOT EXISTS (SELECT 1 FROM (VALUES ${values}) AS p
        WHERE (p.column1 < ${k} AND ${err('p.column2', 'p.column3')} <= ${mine})
           OR (p.column1 > ${k} AND ${err('p.column2', 'p.column3')} < ${mine}))`
    return `(${known} AND CASE WHEN (${w}, ${h}) IN (VALUES ${own})
      THEN ${w} = ${int(b.width)} AND ${h} = ${int(b.height)}
      ELSE ${nearest} END)`
  }
  const st = int(b.steps)
  const maxArea = int(b.resolution[0] * b.resolution[1])
  const cut = (x: string) => `((${x}) - (${x}) % ${st})`
  const small = `${cut(w)} = ${int(b.width)} AND ${cut(h)} = ${int(b.height)}`
  // bigger than the max area: shrunk keeping the aspect, the nearer of the two roundings
  const rw = `sqrt(${maxArea} * a)`
  const inner = `SELECT a, ${roundToSteps(rw, b.steps)} AS bwr, ${roundToSteps(`${maxArea} / ${rw}`, b.steps)} AS bhr
      FROM (SELECT ${w} * 1.0 / ${h} AS a)`
  const mid = `SELECT a, bwr, bhr, ${roundToSteps('bwr / a', b.steps)} AS bhw, ${roundToSteps('bhr * a', b.steps)} AS bwh
      FROM (${inner})`
  const half = (x: string) => `CAST((${x}) + 0.5 AS INTEGER)`
  const big = `(SELECT CASE WHEN abs(bwr * 1.0 / bhw - a) < abs(bwh * 1.0 / bhr - a)
        THEN ${cut('bwr')} = ${int(b.width)} AND ${cut(half('bwr / a'))} = ${int(b.height)}
        ELSE ${cut(half('bhr * a'))} = ${int(b.width)} AND ${cut('bhr')} = ${int(b.height)} END
      FROM (${mid}))`
  return `(${known} AND CASE WHEN ${w} * ${h} > ${maxArea} THEN ${big} ELSE ${small} END)`
}

/** The WHERE terms of the dashboard filters of `f`. */
/**
 * "Has text / watermark": the OCR model's watermark mark (images/flags.ts) or a non-empty
 * structured `text` field in either language (captions of the image, two primary-key probes).
 */
export function hasTextCondition(flags: string, idExpr: string): string {
  return `((${flags} & ${FLAG_WATERMARK}) <> 0 OR EXISTS (SELECT 1 FROM captions c
      WHERE c.image_id = ${idExpr} AND c.fields IS NOT NULL AND json_valid(c.fields)
        AND trim(COALESCE(json_extract(c.fields, '$.text'), '')) <> ''))`
}

export function extraFilterTerms(
  f: ImageFilter,
  col: (c: string) => string,
  idExpr: string
): Terms {
  const out: Terms = { terms: [], params: [] }
  for (const tag of new Set(f.tags ?? [])) {
    out.terms.push(`EXISTS (SELECT 1 FROM tags t WHERE t.tag = ? AND t.image_id = ${idExpr})`)
    out.params.push(tag)
  }
  rangeTerms(col('width'), f.width, out)
  rangeTerms(col('height'), f.height, out)
  if (f.aspect) {
    out.terms.push(`${col('height')} > 0`)
    rangeTerms(`${col('width')} * 1.0 / ${col('height')}`, f.aspect, out)
  }
  const cl = f.captionLength
  if (cl) {
    const unit = cl.unit ?? 'chars'
    const cond: string[] = []
    const p: (string | number)[] = [cl.lang]
    const v = unit === 'chars' ? 'length(c.text)' : `m.${unit}`
    if (cl.min !== undefined) {
      cond.push(`${v} >= ?`)
      p.push(cl.min)
    }
    if (cl.max !== undefined) {
      cond.push(`${v} < ?`)
      p.push(cl.max)
    }
    const extra = cond.length ? ` AND ${cond.join(' AND ')}` : ''
    out.terms.push(
      unit === 'chars'
        ? `EXISTS (SELECT 1 FROM captions c WHERE c.image_id = ${idExpr} AND c.lang = ? AND c.text <> ''${extra})`
        : `EXISTS (SELECT 1 FROM caption_metrics m WHERE m.image_id = ${idExpr} AND m.lang = ?${extra})`
    )
    out.params.push(...p)
  }
  if (f.bucket) {
    // evaluated once per distinct size (the images_sizes index), not once per image
    const cond = bucketCondition(f.bucket, 's.width', 's.height')
    out.terms.push(`(${col('width')}, ${col('height')}) IN (SELECT s.width, s.height
      FROM (SELECT DISTINCT width, height FROM images WHERE width > 0 AND height > 0) AS s
      WHERE ${cond})`)
  }
  if (f.hasText !== undefined) {
    const t = hasTextCondition(col('flags'), idExpr)
    out.terms.push(f.hasText ? t : `NOT ${t}`)
  }
  return out
}
