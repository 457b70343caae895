import type { Database, Statement } from 'better-sqlite3'

const caches = new WeakMap<Database, Map<string, Statement>>()

/**
 * A prepared statement for `sql`, compiled once per connection. Query modules build their SQL
 * from a small set of shapes (filter combinations), so the cache stays small.
 */
export function prepared(db: Database, sql: string): Statement {
  let cache = caches.get(db)
  if (!cache) {
    cache = new Map()
    caches.set(db, cache)
  }
  let st = cache.get(sql)
  if (!st) {
    st = db.prepare(sql)
    cache.set(sql, st)
  }
  return st
}
