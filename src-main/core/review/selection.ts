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
import { buildCountQuery } from '../images/queries'

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
    const q = buildCountQuery(f)
    return (prepared(db, q.sql).get(...q.params) as { n: number }).n
  }
  return resolveSelection(db, s).length
}
