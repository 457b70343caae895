/**
 * Statistics for the dashboard, each one or two aggregate queries over the grid filter (the same
 * WHERE clause as the grid, so a plot and the grid always describe the same images):
 *  - tags: frequency (top N, long tail, singletons) from the tags table;
 *  - caption lengths per language: histograms of characters and estimated CLIP / mT5 tokens with
 *    the 77 / 256 budgets, from caption_metrics (written by triggers at caption write time);
 *  - resolution scatter (exact sizes, or binned on a coarser grid beyond maxPoints) and an aspect
 *    histogram; kohya buckets (review/buckets.ts) per distinct size;
 *  - review progress: current counts by status, and status changes per reviewer per time slot
 *    from the journal (batches not undone).
 * A filter that is only a dataset (or nothing) — the dashboard's default — reads the per-dataset
 * tables of migration 0007 (tag_stats, caption_metrics by dataset_id) through covering indexes;
 * any other filter joins the grid's WHERE clause to images (test/db/stats-plan.test.ts).
 */
import type { ReadableDB } from '../db/types'
import {
  REVIEW_STATUSES,
  type BucketStats,
  type CaptionLengthStats,
  type Histogram,
  type ImageFilter,
  type Lang,
  type ResolutionStats,
  type ReviewStats,
  type ReviewStatus,
  type Results,
  type TagCount
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { prepared } from '../db/statements'
import { BUDGETS } from '../captions/text/tokens'
import { BucketSelector, type BucketSettings } from './buckets'
import { filterWhere, type Where } from './selection'
import { CAPTION_HIST } from '../db/migrations/0012-summaries'
import { datasetStatsRows, statusCounts } from '../library/queries'

/** What the filter narrows to: the whole library, one dataset, or anything else. */
type Scope = { kind: 'all' } | { kind: 'dataset'; id: number } | { kind: 'other' }

export function filterScope(filter: ImageFilter): Scope {
  const keys = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
  if (keys.length === 0) return { kind: 'all' }
  if (keys.length === 1 && filter.datasetId !== undefined)
    return { kind: 'dataset', id: filter.datasetId }
  return { kind: 'other' }
}

/** `w` with one more condition. */
function and(w: Where, cond: string): string {
  return w.sql ? `${w.sql} AND ${cond}` : `WHERE ${cond}`
}

// ---------------------------------------------------------------------------------------------
// Tags

export function tagCounts(db: ReadableDB, filter: ImageFilter): TagCount[] {
  const scope = filterScope(filter)
  if (scope.kind === 'all')
    // the kept counts of every dataset, merged per tag
    return prepared(
      db,
      'SELECT tag, sum(n) AS count FROM tag_counts GROUP BY tag HAVING sum(n) > 0'
    ).all() as TagCount[]
  if (scope.kind === 'dataset')
    // one range of the kept counts (dataset_id, tag)
    return prepared(
      db,
      'SELECT tag, n AS count FROM tag_counts WHERE dataset_id = ? AND n > 0'
    ).all(scope.id) as TagCount[]
  const w = filterWhere(filter)
  return prepared(
    db,
    `SELECT t.tag AS tag, count(*) AS count FROM images i JOIN tags t ON t.image_id = i.id ${w.sql}
      GROUP BY t.tag`
  ).all(...w.params) as TagCount[]
}

/** The kept summary of the filter's scope (a dataset or the library), summed. */
function scopeTotals(
  db: ReadableDB,
  scope: Scope
): { images: number; tagged: number; byStatus: Record<ReviewStatus, number> } {
  const out = { images: 0, tagged: 0, byStatus: statusCounts(undefined) }
  for (const r of datasetStatsRows(db, scope.kind === 'dataset' ? scope.id : undefined).values()) {
    out.images += r.images
    out.tagged += r.tagged
    const st = statusCounts(r, true)
    for (const k of REVIEW_STATUSES) out.byStatus[k] += st[k]
  }
  return out
}

function countImages(db: ReadableDB, filter: ImageFilter): number {
  const scope = filterScope(filter)
  if (scope.kind !== 'other') return scopeTotals(db, scope).images
  const w = filterWhere(filter)
  return (
    prepared(db, `SELECT count(*) AS n FROM images i ${w.sql}`).get(...w.params) as { n: number }
  ).n
}

export function tagStats(db: ReadableDB, filter: ImageFilter, top: number): Results['stats.tags'] {
  const counts = tagCounts(db, filter).sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : 1))
  const images = countImages(db, filter)
  const w = filterWhere(filter)
  const scope = filterScope(filter)
  // the partial index of tagged images per dataset; a tag filter only matches tagged images
  const withTags = filter.tags?.length
    ? images
    : scope.kind !== 'other'
      ? scopeTotals(db, scope).tagged
      : (
          prepared(db, `SELECT count(*) AS n FROM images i ${and(w, "i.tags_text <> ''")}`).get(
            ...w.params
          ) as { n: number }
        ).n
  const tail = counts.slice(top)
  return {
    images,
    imagesWithTags: withTags,
    distinct: counts.length,
    occurrences: counts.reduce((n, t) => n + t.count, 0),
    top: counts.slice(0, top),
    longTail: {
      tags: tail.length,
      occurrences: tail.reduce((n, t) => n + t.count, 0),
      singletons: counts.filter((t) => t.count === 1).length
    }
  }
}

export function listTags(
  db: ReadableDB,
  a: {
    filter: ImageFilter
    search?: string
    sort: { key: 'count' | 'tag'; dir: 'asc' | 'desc' }
    limit: number
  }
): Results['tags.list'] {
  let counts = tagCounts(db, a.filter)
  const q = a.search?.trim().toLowerCase()
  if (q) counts = counts.filter((t) => t.tag.toLowerCase().includes(q))
  const sign = a.sort.dir === 'asc' ? 1 : -1
  counts.sort((x, y) =>
    a.sort.key === 'count'
      ? sign * (x.count - y.count) || (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0)
      : sign * (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0)
  )
  return {
    tags: counts.slice(0, a.limit),
    distinct: counts.length,
    images: countImages(db, a.filter)
  }
}

// ---------------------------------------------------------------------------------------------
// Caption lengths

const HIST = CAPTION_HIST

export function captionLengthStats(db: ReadableDB, filter: ImageFilter): CaptionLengthStats {
  const scope = filterScope(filter)
  const make = (budget: number | null, width: number, bins: number): Histogram => ({
    binWidth: width,
    bins: new Array<number>(bins).fill(0),
    budget,
    over: 0
  })
  const langs = {} as CaptionLengthStats['langs']
  for (const lang of ['zh', 'en'] as const) {
    langs[lang] = {
      captions: 0,
      empty: 0,
      chars: make(null, HIST.chars.width, HIST.chars.bins),
      clip: make(BUDGETS.clip, HIST.clip.width, HIST.clip.bins),
      mt5: make(BUDGETS.mt5, HIST.mt5.width, HIST.mt5.bins)
    }
  }
  const w = filterWhere(filter)
  if (scope.kind !== 'other') {
    // the kept bins (migration 0012): one row per (dataset, lang, bin triple, over flags)
    const rows = prepared(
      db,
      scope.kind === 'all'
        ? 'SELECT lang, cb, kb, mb, co, mo, n FROM caption_bins WHERE n > 0'
        : 'SELECT lang, cb, kb, mb, co, mo, n FROM caption_bins WHERE dataset_id = ? AND n > 0'
    )
      .raw()
      .all(...(scope.kind === 'all' ? [] : [scope.id])) as [
      Lang,
      number,
      number,
      number,
      number,
      number,
      number
    ][]
    for (const [lang, cb, kb, mb, co, mo, n] of rows) {
      const l = langs[lang]
      l.captions += n
      l.chars.bins[cb]! += n
      l.clip.bins[kb]! += n
      l.mt5.bins[mb]! += n
      if (co) l.clip.over += n
      if (mo) l.mt5.over += n
    }
  } else {
    // one pass over the filter's captions, grouped by the three bins at once
    const bin = (k: 'chars' | 'clip' | 'mt5') =>
      `MIN(m.${k} / ${HIST[k].width}, ${HIST[k].bins - 1})`
    const rows = prepared(
      db,
      `SELECT m.lang, ${bin('chars')}, ${bin('clip')}, ${bin('mt5')},
              SUM(m.clip > ${BUDGETS.clip}), SUM(m.mt5 > ${BUDGETS.mt5}), count(*)
         FROM images i JOIN caption_metrics m ON m.image_id = i.id ${w.sql}
        GROUP BY 1, 2, 3, 4`
    )
      .raw()
      .all(...w.params) as [Lang, number, number, number, number, number, number][]
    for (const [lang, chars, clip, mt5, clipOver, mt5Over, n] of rows) {
      const l = langs[lang]
      l.captions += n
      l.chars.bins[chars]! += n
      l.clip.bins[clip]! += n
      l.mt5.bins[mt5]! += n
      l.clip.over += clipOver
      l.mt5.over += mt5Over
    }
  }
  if (scope.kind !== 'other') {
    // empty captions: the kept counts
    for (const r of datasetStatsRows(
      db,
      scope.kind === 'dataset' ? scope.id : undefined
    ).values()) {
      langs.zh.empty += r.empty_zh
      langs.en.empty += r.empty_en
    }
  } else {
    // the small captions_empty partial index drives, each checked against the filter
    const empty = prepared(
      db,
      `SELECT c.lang AS lang, count(*) AS n FROM captions c CROSS JOIN images i
        ${and(w, "i.id = c.image_id AND c.text = ''")} GROUP BY c.lang`
    ).all(...w.params) as { lang: Lang; n: number }[]
    for (const e of empty) langs[e.lang].empty = e.n
  }
  return { estimate: true, langs }
}

// ---------------------------------------------------------------------------------------------
// Resolution, aspect, buckets

interface SizeRow {
  width: number
  height: number
  count: number
  weighted: number
}

function sizes(db: ReadableDB, filter: ImageFilter): { rows: SizeRow[]; unknown: number } {
  const scope = filterScope(filter)
  if (scope.kind !== 'other') {
    // the kept counts per (dataset, size), merged per size for the library
    const rows = prepared(
      db,
      scope.kind === 'all'
        ? `SELECT width, height, sum(n) AS count, sum(weighted) AS weighted FROM size_counts
            WHERE n > 0 GROUP BY width, height`
        : `SELECT width, height, n AS count, weighted FROM size_counts
            WHERE dataset_id = ? AND n > 0`
    ).all(...(scope.kind === 'all' ? [] : [scope.id])) as SizeRow[]
    const known = rows.reduce((n, r) => n + r.count, 0)
    return { rows, unknown: scopeTotals(db, scope).images - known }
  }
  const w = filterWhere(filter)
  // a dataset (or nothing): the covering (dataset_id, width, height, repeats) index, in group
  // order. Any other filter: its own index drives and the few sizes are grouped in a temp
  // b-tree (`+ 0` keeps the planner from walking every image of the dataset in size order)
  const other = filterScope(filter).kind === 'other'
  const [x, y] = other ? ['i.width + 0', 'i.height + 0'] : ['i.width', 'i.height']
  const rows = prepared(
    db,
    `SELECT ${x} AS width, ${y} AS height, count(*) AS count, SUM(COALESCE(i.repeats, 1)) AS weighted
       FROM images i ${and(w, other ? '+i.width > 0 AND +i.height > 0' : 'i.width > 0 AND i.height > 0')}
      GROUP BY 1, 2`
  ).all(...w.params) as SizeRow[]
  const known = rows.reduce((n, r) => n + r.count, 0)
  return { rows, unknown: countImages(db, filter) - known }
}

const ASPECT_STEP = 1 / 8
const ASPECT_MIN = -2
const ASPECT_MAX = 2

export function resolutionStats(
  db: ReadableDB,
  filter: ImageFilter,
  maxPoints: number
): ResolutionStats {
  const { rows, unknown } = sizes(db, filter)
  let binSize = 1
  let points = rows.map((r) => ({ width: r.width, height: r.height, count: r.count }))
  while (points.length > maxPoints) {
    binSize = binSize === 1 ? 16 : binSize * 2
    const m = new Map<string, { width: number; height: number; count: number }>()
    for (const r of rows) {
      const bw = Math.floor(r.width / binSize) * binSize + binSize / 2
      const bh = Math.floor(r.height / binSize) * binSize + binSize / 2
      const k = `${bw}x${bh}`
      const p = m.get(k)
      if (p) p.count += r.count
      else m.set(k, { width: bw, height: bh, count: r.count })
    }
    points = [...m.values()]
  }
  points.sort((a, b) => a.width - b.width || a.height - b.height)
  const nb = Math.round((ASPECT_MAX - ASPECT_MIN) / ASPECT_STEP)
  const counts = new Array<number>(nb).fill(0)
  for (const r of rows) {
    const l = Math.log2(r.width / r.height)
    const k = Math.min(nb - 1, Math.max(0, Math.floor((l - ASPECT_MIN) / ASPECT_STEP + 1e-9)))
    counts[k]! += r.count
  }
  return {
    images: rows.reduce((n, r) => n + r.count, 0),
    unknown,
    binSize,
    points,
    aspect: counts.map((count, k) => ({
      from: 2 ** (ASPECT_MIN + k * ASPECT_STEP),
      to: 2 ** (ASPECT_MIN + (k + 1) * ASPECT_STEP),
      count
    }))
  }
}

export function bucketStats(db: ReadableDB, filter: ImageFilter, s: BucketSettings): BucketStats {
  let sel: BucketSelector
  try {
    sel = new BucketSelector(s)
  } catch (e) {
    throw new GlossaError('INVALID_ARGS', `stats.buckets: ${(e as Error).message}`)
  }
  const { rows, unknown } = sizes(db, filter)
  const buckets = new Map<string, BucketStats['buckets'][number]>()
  let upscaled = 0
  for (const r of rows) {
    const b = sel.select(r.width, r.height)
    const k = `${b.reso[0]}x${b.reso[1]}`
    let e = buckets.get(k)
    if (!e)
      buckets.set(
        k,
        (e = { width: b.reso[0], height: b.reso[1], images: 0, weighted: 0, upscaled: 0 })
      )
    e.images += r.count
    e.weighted += r.weighted
    if (b.upscaled) {
      e.upscaled += r.count
      upscaled += r.count
    }
  }
  return {
    images: rows.reduce((n, r) => n + r.count, 0),
    unknown,
    weighted: rows.reduce((n, r) => n + r.weighted, 0),
    upscaled,
    predefined: sel.predefined,
    buckets: [...buckets.values()].sort((a, b) => a.width - b.width || a.height - b.height)
  }
}

// ---------------------------------------------------------------------------------------------
// Review progress

const SLOT_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const

export function reviewStats(
  db: ReadableDB,
  filter: ImageFilter,
  interval: 'hour' | 'day' | 'week',
  tzOffsetMinutes: number
): ReviewStats {
  const w = filterWhere(filter)
  const byStatus = Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<
    ReviewStatus,
    number
  >
  const scope = filterScope(filter)
  if (scope.kind !== 'other') Object.assign(byStatus, scopeTotals(db, scope).byStatus)
  else
    for (const r of prepared(
      db,
      `SELECT i.status, count(*) AS n FROM images i ${w.sql} GROUP BY i.status`
    ).all(...w.params) as { status: ReviewStatus; n: number }[])
      byStatus[r.status] = r.n
  const all = !w.sql
  const slot = SLOT_MS[interval]
  const off = tzOffsetMinutes * 60_000
  // weeks start on Monday: 1970-01-01 was a Thursday (+3 days)
  const shift = interval === 'week' ? 3 * 86_400_000 : 0
  const rows = prepared(
    db,
    `SELECT CAST((b.created_at + ? + ?) / ? AS INTEGER) * ? - ? - ? AS slot, COALESCE(b.actor, '') AS actor,
            json_extract(e.after, '$.status') AS status, count(*) AS count, MAX(b.created_at) AS last
       FROM journal_entries e JOIN journal_batches b ON b.id = e.batch_id
            ${all ? '' : 'JOIN images i ON i.id = e.image_id'}
      WHERE e.kind = 'status' AND b.undone = 0 AND e.after IS NOT NULL
        ${all ? '' : `AND (${w.sql.replace(/^WHERE /, '')})`}
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
  ).all(off, shift, slot, slot, off, shift, ...(all ? [] : w.params)) as {
    slot: number
    actor: string
    status: ReviewStatus
    count: number
    last: number
  }[]
  const reviewers = new Map<string, { actor: string; changes: number; lastAt: number }>()
  for (const r of rows) {
    const e = reviewers.get(r.actor) ?? { actor: r.actor, changes: 0, lastAt: 0 }
    e.changes += r.count
    e.lastAt = Math.max(e.lastAt, r.last)
    reviewers.set(r.actor, e)
  }
  return {
    byStatus,
    timeline: rows.map((r) => ({ slot: r.slot, actor: r.actor, status: r.status, count: r.count })),
    reviewers: [...reviewers.values()].sort((a, b) => b.changes - a.changes)
  }
}
