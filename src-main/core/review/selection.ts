/**
 * Selections as queries. A filter selection resolves to every image matching the grid filter
 * (within its dataset), minus `exclude`, plus `include` — never just the rows the grid loaded.
 * The WHERE clause is the grid's own (images/queries.ts buildCountQuery), so "select all" and
 * the grid's total always agree.
 */
import type { ReadableDB } from '../db/types'
import type { ImageFilter, Selection } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { prepared } from '../db/statements'
import { buildCountQuery, countOf } from '../images/queries'

export interface Where {
  /** '' or 'WHERE …' over `images i` */
  sql: string
  params: (string | number)[]
}

const COUNT_PREFIX = 'SELECT count(*) AS n FROM images i'

/** The grid's WHERE clause for a filter, over `images i`. */
export function filterWhere(filter: ImageFilter): Where {
  const q = buildCountQuery(filter)
  if (!q.sql.startsWith(COUNT_PREFIX))
    throw new GlossaError('INTERNAL', 'unexpected count query shape (images/queries.ts)')
  return { sql: q.sql.slice(COUNT_PREFIX.length).trim(), params: q.params }
}

/** `i.id IN (…)`-ready subquery of the filter's image ids. */
export function filterIdsSubquery(filter: ImageFilter): Where {
  const w = filterWhere(filter)
  return { sql: `SELECT i.id FROM images i ${w.sql}`, params: w.params }
}

export function selectionFilter(s: Selection): ImageFilter | null {
  if ('ids' in s) return null
  const f: ImageFilter = { ...s.filter }
  if (s.datasetId !== undefined) f.datasetId = s.datasetId
  return f
}

/** Image ids of a selection, ascending, existing images only. */
export function resolveSelection(db: ReadableDB, s: Selection): number[] {
  const f = selectionFilter(s)
  let ids: number[]
  if (f === null) {
    ids = existing(db, (s as { ids: number[] }).ids)
  } else {
    const w = filterWhere(f)
    ids = prepared(db, `SELECT i.id FROM images i ${w.sql} ORDER BY i.id`)
      .pluck()
      .all(...w.params) as number[]
    const sel = s as { include?: number[]; exclude?: number[] }
    if (sel.exclude?.length) {
      const ex = new Set(sel.exclude)
      ids = ids.filter((id) => !ex.has(id))
    }
    if (sel.include?.length) {
      const have = new Set(ids)
      const extra = existing(
        db,
        sel.include.filter((id) => !have.has(id))
      )
      if (extra.length) ids = [...ids, ...extra].sort((a, b) => a - b)
    }
  }
  return ids
}

/** The given ids that exist, ascending and unique. */
export function existing(db: ReadableDB, ids: readonly number[]): number[] {
  const out: number[] = []
  const uniq = [...new Set(ids)].sort((a, b) => a - b)
  const st = prepared(db, 'SELECT value FROM json_each(?) WHERE value IN (SELECT id FROM images)')
  for (let i = 0; i < uniq.length; i += 5000) {
    const chunk = uniq.slice(i, i + 5000)
    out.push(...(st.pluck().all(JSON.stringify(chunk)) as number[]))
  }
  return out.sort((a, b) => a - b)
}

export function countSelection(db: ReadableDB, s: Selection): number {
  const f = selectionFilter(s)
  if (
    f === null ||
    (!('include' in s) && !('exclude' in s)) ||
    (!s.include?.length && !s.exclude?.length)
  ) {
    if (f === null) return existing(db, (s as { ids: number[] }).ids).length
    return countOf(db, f)
  }
  return resolveSelection(db, s).length
}

/**
 * The image ids of a selection in ascending chunks of up to `size` (keyed on the id, so each
 * chunk is one index range): what a job walks instead of holding every id at once. A selection
 * with `include` (at most a few hundred thousand ids, given by the client) is resolved whole.
 */
export function* selectionChunks(db: ReadableDB, s: Selection, size: number): Generator<number[]> {
  const f = selectionFilter(s)
  const sel = s as { include?: number[]; exclude?: number[] }
  if (f === null || sel.include?.length) {
    const ids = resolveSelection(db, s)
    for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size)
    return
  }
  const w = filterWhere(f)
  const st = prepared(
    db,
    `SELECT i.id FROM images i ${w.sql ? `${w.sql} AND` : 'WHERE'} i.id > ? ORDER BY i.id LIMIT ?`
  ).pluck()
  const ex = sel.exclude?.length ? new Set(sel.exclude) : null
  let after = 0
  for (;;) {
    const ids = st.all(...w.params, after, size) as number[]
    if (ids.length === 0) return
    after = ids[ids.length - 1]!
    yield ex ? ids.filter((id) => !ex.has(id)) : ids
    if (ids.length < size) return
  }
}
