import type { ReadableDB } from '../db/types'
import type { ImageFilter, ImageRow, Page, ReviewStatus, Sort, SortKey } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { prepared } from '../db/statements'
import { extraFilterTerms } from './filters'
import { searchClause } from './search'

/**
 * Grid paging. Keyed ("seek") pagination, never OFFSET: the cursor holds the last row's sort
 * value(s) and id, and the next page starts with a row-value comparison `(k…, id) > (?…, ?)`
 * walked along an index whose order is exactly the ORDER BY, so every page costs the same
 * whatever its depth. The index is named with INDEXED BY so a filter can never tempt the planner
 * into sorting the whole match set in a temp b-tree; filter columns are prefixed with `+` (no
 * index use) unless they are the leading equality of the chosen index. NULL widths and heights
 * (import errors) sort as -1 via the same COALESCE expression the 0002 indexes are built on.
 */

interface SortSpec {
  /** sort expressions, most significant first; `i.id` is appended as the tie-breaker */
  exprs: string[]
  /** index within one dataset (leading column dataset_id) */
  datasetIndex: string
  /** index for the whole library; null = the rowid order (NOT INDEXED) */
  libraryIndex: string | null
}

const SORTS: Record<SortKey, SortSpec> = {
  name: { exprs: ['i.file_name'], datasetIndex: 'images_by_name', libraryIndex: 'images_all_name' },
  folder: {
    exprs: ['i.folder', 'i.file_name'],
    datasetIndex: 'images_by_folder',
    libraryIndex: 'images_all_folder'
  },
  added: { exprs: [], datasetIndex: 'images_by_added', libraryIndex: null },
  status: {
    exprs: ['i.status'],
    datasetIndex: 'images_by_status',
    libraryIndex: 'images_all_status'
  },
  width: {
    exprs: ['COALESCE(i.width, -1)'],
    datasetIndex: 'images_by_width',
    libraryIndex: 'images_all_width'
  },
  height: {
    exprs: ['COALESCE(i.height, -1)'],
    datasetIndex: 'images_by_height',
    libraryIndex: 'images_all_height'
  }
}

type CursorValue = string | number
interface CursorData {
  k: SortKey
  d: 'asc' | 'desc'
  v: CursorValue[]
}

export function encodeCursor(c: CursorData): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string, sort: Sort, n: number): CursorValue[] {
  const bad = (why: string) =>
    new GlossaError('INVALID_ARGS', `images.page: bad cursor (${why}); start again without one`)
  let data: unknown
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw bad('not a cursor')
  }
  const c = data as Partial<CursorData>
  if (!c || typeof c !== 'object' || !Array.isArray(c.v)) throw bad('not a cursor')
  if (c.k !== sort.key || c.d !== sort.dir) throw bad('it belongs to another sort order')
  if (c.v.length !== n || !c.v.every((x) => typeof x === 'string' || typeof x === 'number'))
    throw bad('wrong shape')
  if (typeof c.v[n - 1] !== 'number') throw bad('wrong shape')
  return c.v
}

interface Built {
  sql: string
  params: (string | number)[]
}

/** The WHERE terms of a filter. `forCount`: plain columns, the planner picks freely. */
function filterTerms(
  f: ImageFilter,
  leading: ReadonlySet<string>,
  forCount: boolean
): Built & { terms: string[] } {
  const terms: string[] = []
  const params: (string | number)[] = []
  const col = (c: string) => (forCount || leading.has(c) ? `i.${c}` : `+i.${c}`)
  if (f.datasetId !== undefined) {
    terms.push('i.dataset_id = ?')
    params.push(f.datasetId)
  }
  if (f.status?.length) {
    const uniq = [...new Set(f.status)]
    terms.push(`${col('status')} IN (${uniq.map(() => '?').join(', ')})`)
    params.push(...uniq)
  }
  if (f.concept !== undefined) {
    terms.push(`${col('concept')} = ?`)
    params.push(f.concept)
  }
  if (f.folder !== undefined) {
    terms.push(`${col('folder')} = ?`)
    params.push(f.folder)
  }
  if (f.hasError !== undefined) terms.push(f.hasError ? 'i.error IS NOT NULL' : 'i.error IS NULL')
  const missing = (lang: 'zh' | 'en') =>
    `NOT EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.lang = '${lang}' AND c.text <> '')`
  if (f.missing === 'zh' || f.missing === 'en') terms.push(missing(f.missing))
  if (f.missing === 'any') terms.push(`(${missing('zh')} OR ${missing('en')})`)
  const s = searchClause(f.search, forCount ? 'i.id' : '+i.id', { raw: f.searchRaw === true })
  if (s) {
    terms.push(s.sql)
    params.push(...s.params)
  }
  // the dashboard's filters (tags, sizes, caption length, bucket): images/filters.ts
  const x = extraFilterTerms(f, col, forCount ? 'i.id' : '+i.id')
  terms.push(...x.terms)
  params.push(...x.params)
  return { sql: terms.join(' AND '), params, terms }
}

/**
 * The sort expressions that still vary under the filter (a sort column pinned by an equality
 * filter is constant and left out, or the planner sorts ties in a temp b-tree), then the id.
 */
export function sortKeys(filter: ImageFilter, key: SortKey): string[] {
  const pinned = new Set<string>()
  if (filter.folder !== undefined) pinned.add('i.folder')
  if (filter.status && new Set(filter.status).size === 1) pinned.add('i.status')
  return [...SORTS[key].exprs.filter((e) => !pinned.has(e)), 'i.id']
}

/** Picks the index whose order is the ORDER BY, preferring one led by an equality filter. */
function chooseIndex(f: ImageFilter, key: SortKey): { index: string | null; leading: Set<string> } {
  const spec = SORTS[key]
  // a sort column pinned by an equality filter must be an index equality (not a `+` filter), so
  // the rest of the index order is the ORDER BY
  const pinned = new Set<string>()
  if (key === 'status' && f.status && new Set(f.status).size === 1) pinned.add('status')
  if (key === 'folder' && f.folder !== undefined) pinned.add('folder')
  if (f.datasetId === undefined) return { index: spec.libraryIndex, leading: pinned }
  if (key === 'name' && f.concept !== undefined)
    return { index: 'images_by_concept', leading: new Set(['concept']) }
  if ((key === 'name' || key === 'folder') && f.folder !== undefined)
    return { index: 'images_by_folder', leading: new Set(['folder']) }
  return { index: spec.datasetIndex, leading: pinned }
}

export const ROW_COLUMNS = `i.id, i.dataset_id, i.file_name, i.rel_path, i.folder, i.concept, i.repeats,
  i.width, i.height, i.format, i.bytes, i.status, i.tags_text, i.error, i.added_at,
  COALESCE(z.text, '') AS zh, COALESCE(e.text, '') AS en`
export const CAPTION_JOINS = `LEFT JOIN captions z ON z.image_id = i.id AND z.lang = 'zh'
  LEFT JOIN captions e ON e.image_id = i.id AND e.lang = 'en'`

/**
 * SQL and parameters of one page; exported for the EXPLAIN QUERY PLAN tests.
 *
 * After a cursor (v0…vn-1, id) the row-value condition `(k0…, id) > (v0…, id)` is expanded into
 * one branch per key, nearest first — `k0 = v0 AND … AND id > vid`, …, `k0 > v0` — joined with
 * UNION ALL (SQLite runs the branches in order and stops at the outer LIMIT). Each branch is an
 * equality prefix plus one range on the same index, so it seeks straight to the cursor; a plain
 * row-value comparison seeks on its first column only and then walks every tie (a status group
 * can hold half the library).
 */
export function buildPageQuery(
  filter: ImageFilter,
  sort: Sort,
  after: CursorValue[] | null,
  limit: number
): Built {
  const { index, leading } = chooseIndex(filter, sort.key)
  const w = filterTerms(filter, leading, false)
  const keys = sortKeys(filter, sort.key)
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC'
  const op = sort.dir === 'asc' ? '>' : '<'
  const sortCols = keys.slice(0, -1).map((e, n) => `${e} AS k${n}`)
  // `from`: keys fixed by equalities are left out of ORDER BY (the planner does not see that an
  // expression pinned by `=` is constant and would sort the ties in a temp b-tree)
  const select = (extra: string[], from = 0) => {
    const terms = [...w.terms, ...extra]
    return `SELECT ${[ROW_COLUMNS, ...sortCols].join(', ')}
  FROM images i ${index ? `INDEXED BY ${index}` : 'NOT INDEXED'}
  ${CAPTION_JOINS}
  ${terms.length ? `WHERE ${terms.join(' AND ')}` : ''}
  ORDER BY ${keys
    .slice(from)
    .map((k) => `${k} ${dir}`)
    .join(', ')}
  LIMIT ?`
  }
  if (!after) return { sql: select([]), params: [...w.params, limit] }
  const branches: string[] = []
  const params: (string | number)[] = []
  for (let j = keys.length - 1; j >= 0; j--) {
    const extra = keys.slice(0, j).map((k) => `${k} = ?`)
    extra.push(`${keys[j]!} ${op} ?`)
    branches.push(keys.length === 1 ? select(extra) : `SELECT * FROM (${select(extra, j)})`)
    params.push(...w.params, ...after.slice(0, j + 1), limit)
  }
  if (branches.length === 1) return { sql: branches[0]!, params }
  params.push(limit)
  return { sql: `${branches.join('\n  UNION ALL\n  ')}\n  LIMIT ?`, params }
}

export function buildCountQuery(filter: ImageFilter): Built {
  const w = filterTerms(filter, new Set(), true)
  return {
    sql: `SELECT count(*) AS n FROM images i${w.sql ? ` WHERE ${w.sql}` : ''}`,
    params: w.params
  }
}

export interface RawImageRow {
  id: number
  dataset_id: number
  file_name: string
  rel_path: string
  folder: string
  concept: string
  repeats: number | null
  width: number | null
  height: number | null
  format: string | null
  bytes: number
  status: ReviewStatus
  tags_text: string
  error: string | null
  added_at: number
  zh: string
  en: string
}

export function splitTags(tagsText: string): string[] {
  return tagsText ? tagsText.split(', ') : []
}

export function imageRowFrom(r: RawImageRow): ImageRow {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    fileName: r.file_name,
    relPath: r.rel_path,
    folder: r.folder,
    concept: r.concept,
    repeats: r.repeats,
    width: r.width,
    height: r.height,
    format: r.format,
    bytes: r.bytes,
    status: r.status,
    zh: r.zh,
    en: r.en,
    tags: splitTags(r.tags_text),
    error: r.error,
    addedAt: r.added_at
  }
}

export interface PageArgs {
  filter: ImageFilter
  sort: Sort
  cursor?: string | null
  limit: number
  withTotal: boolean
}

export function pageImages(db: ReadableDB, a: PageArgs): Page {
  const n = sortKeys(a.filter, a.sort.key).length - 1
  const after = a.cursor ? decodeCursor(a.cursor, a.sort, n + 1) : null
  // one row more than asked tells whether there is a next page
  const q = buildPageQuery(a.filter, a.sort, after, a.limit + 1)
  const raw = prepared(db, q.sql).all(...q.params) as (RawImageRow & Record<string, unknown>)[]
  const more = raw.length > a.limit
  const rows = more ? raw.slice(0, a.limit) : raw
  const last = rows[rows.length - 1]
  let nextCursor: string | null = null
  if (more && last) {
    const v: CursorValue[] = []
    for (let k = 0; k < n; k++) v.push(last[`k${k}`] as CursorValue)
    v.push(last.id)
    nextCursor = encodeCursor({ k: a.sort.key, d: a.sort.dir, v })
  }
  let total: number | null = null
  if (a.withTotal) total = countOf(db, a.filter)
  const out = rows.map(imageRowFrom)
  if (a.filter.searchRaw && rows.length) markRawOnly(db, a.filter.search, out)
  return { rows: out, nextCursor, total }
}

/** Marks the rows the search finds only in the raw imported caption (searched with searchRaw). */
function markRawOnly(db: ReadableDB, search: string | undefined, rows: ImageRow[]): void {
  const s = searchClause(search, 'i.id')
  if (!s) return
  const ids = rows.map((r) => r.id)
  const hit = new Set(
    (
      prepared(
        db,
        `SELECT i.id FROM images i WHERE i.id IN (${ids.map(() => '?').join(', ')}) AND ${s.sql}`
      ).all(...ids, ...s.params) as { id: number }[]
    ).map((r) => r.id)
  )
  for (const r of rows) if (!hit.has(r.id)) r.rawOnly = true
}

/**
 * The filter's count: a dataset's (or the library's) kept image count (migration 0012) when the
 * filter narrows to nothing else — the grid as it opens — else a COUNT over the filter.
 */
export function countOf(db: ReadableDB, filter: ImageFilter): number {
  const keys = Object.entries(filter).filter(([, v]) => v !== undefined)
  if (keys.length === 0)
    return (
      prepared(db, 'SELECT IFNULL(sum(images), 0) AS n FROM dataset_stats').get() as {
        n: number
      }
    ).n
  if (keys.length === 1 && filter.datasetId !== undefined)
    return (
      (
        prepared(db, 'SELECT images AS n FROM dataset_stats WHERE dataset_id = ?').get(
          filter.datasetId
        ) as { n: number } | undefined
      )?.n ?? 0
    )
  const c = buildCountQuery(filter)
  return (prepared(db, c.sql).get(...c.params) as { n: number }).n
}
