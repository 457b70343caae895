import { isAllCjk } from '../captions/text/cjk'

export interface SearchClause {
  /** a condition on `i.id` for the images query */
  sql: string
  params: string[]
  kind: 'trigram' | 'cjk' | 'like'
}

/** FTS5 string literal: the whole query as one phrase, `"` doubled. */
export function ftsString(q: string): string {
  return `"${q.replace(/"/g, '""')}"`
}

/** LIKE pattern for a substring, with `\` as the escape character. */
export function likeSubstring(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * Substring search over zh, en, raw caption and tags.
 *  - 3+ characters: the trigram index (`image_fts`), case-insensitive;
 *  - 1–2 CJK characters: the CJK unigram index (`image_cjk`) as a phrase ("广 州"), so the
 *    characters must be adjacent (punctuation between them breaks the phrase);
 *  - other 1–2 character queries: LIKE over the trigram table's columns (a scan; rare).
 * `idExpr` is the image id expression (`+i.id` keeps the planner on the sort index).
 * Returns null for an empty (all-space) query: no search.
 */
export function searchClause(query: string | undefined, idExpr = 'i.id'): SearchClause | null {
  const q = (query ?? '').trim()
  if (!q) return null
  const chars = [...q]
  if (chars.length >= 3) {
    return {
      sql: `${idExpr} IN (SELECT rowid FROM image_fts WHERE image_fts MATCH ?)`,
      params: [ftsString(q)],
      kind: 'trigram'
    }
  }
  if (isAllCjk(q)) {
    const phrase = chars.filter((c) => !/\s/.test(c)).join(' ')
    return {
      sql: `${idExpr} IN (SELECT rowid FROM image_cjk WHERE image_cjk MATCH ?)`,
      params: [`"${phrase}"`],
      kind: 'cjk'
    }
  }
  const like = likeSubstring(q)
  return {
    sql: `${idExpr} IN (SELECT rowid FROM image_fts WHERE zh LIKE ? ESCAPE '\\' OR en LIKE ? ESCAPE '\\' OR raw LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\')`,
    params: [like, like, like, like],
    kind: 'like'
  }
}
