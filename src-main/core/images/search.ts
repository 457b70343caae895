import { isAllCjk } from '../captions/text/cjk'
import { toFullWidth, toHalfWidth } from '../captions/text/width'
import { toSimplified, toTraditional } from '../glossary/script'

export interface SearchClause {
  /** a condition on `i.id` (and `i.rel_path`) for the images query */
  sql: string
  params: string[]
  /** how each term is looked up, in order */
  kinds: ('trigram' | 'cjk' | 'like')[]
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
 * The terms of a query: whitespace-separated words, a "quoted phrase" kept whole (quotes that do
 * not pair up are plain characters of the word they are in).
 */
export function searchTerms(query: string | undefined): string[] {
  const out: string[] = []
  for (const m of (query ?? '').matchAll(/"([^"]*)"(?=\s|$)|(\S+)/gu)) {
    const t = (m[1] ?? m[2] ?? '').trim()
    if (t) out.push(t)
  }
  return out
}

/**
 * The forms a term is looked for in, so search folds as the glossaries do (glossary/script.ts
 * fold: half width, simplified script, case): the term as typed, half-width, full-width, and in
 * simplified and (standard) traditional script. The trigram index is
 * case-insensitive already.
 */
export function termVariants(term: string): string[] {
  const half = toHalfWidth(term)
  const out = new Set([term, half])
  if (/[\x21-\x7e]/.test(half)) out.add(toFullWidth(half))
  if (/\p{Script=Han}/u.test(half)) {
    const simp = toSimplified(half)
    out.add(simp)
    // OpenCC's standard traditional forms (the Taiwan and Hong Kong tables cost a second each to
    // load and add few forms a search needs)
    out.add(toTraditional(simp))
  }
  return [...out].filter((v) => v.trim() !== '')
}

export interface SearchOptions {
  /** also match the raw imported caption (default false: what the captions say now) */
  raw?: boolean
}

/**
 * Search over zh, en and tags (and the raw imported caption when asked), and for terms of 3+
 * characters the image's path (folder and file name). Every whitespace-separated term must match
 * (a "quoted phrase" is one term); each term matches in any of those places, in any of its script
 * and width forms.
 *  - 3+ characters: the trigram index (`image_fts`), case-insensitive, limited to the caption
 *    columns unless raw is searched, and the name index (`image_names`, migration 0013);
 *  - 1–2 CJK characters: the CJK unigram index (`image_cjk`) as a phrase ("广 州"), so the
 *    characters must be adjacent (punctuation between them breaks the phrase); that index holds
 *    the raw text too, so without raw the hits are checked on the caption columns;
 *  - other 1–2 character terms: LIKE over the trigram table's columns (a scan; rare).
 * `idExpr` is the image id expression (`+i.id` keeps the planner on the sort index).
 * Returns null for an empty (all-space) query: no search.
 */
export function searchClause(
  query: string | undefined,
  idExpr = 'i.id',
  opts: SearchOptions = {}
): SearchClause | null {
  const terms = searchTerms(query)
  if (!terms.length) return null
  const sql: string[] = []
  const params: string[] = []
  const kinds: SearchClause['kinds'] = []
  const cols = opts.raw ? ['zh', 'en', 'raw', 'tags'] : ['zh', 'en', 'tags']
  // a substring test: instr() where case does not matter (no cased letter: CJK), else LIKE
  const contains = (col: string, v: string): string => {
    if (v.toLowerCase() === v.toUpperCase()) {
      params.push(v)
      return `instr(${col}, ?) > 0`
    }
    params.push(likeSubstring(v))
    return `${col} LIKE ? ESCAPE '\\'`
  }
  const likeCols = (vs: string[], prefix = '') =>
    vs.flatMap((v) => cols.map((c) => contains(prefix + c, v))).join(' OR ')
  for (const term of terms) {
    const vs = termVariants(term)
    let inner: string
    if ([...term].length >= 3) {
      const match = vs
        .filter((v) => [...v].length >= 3)
        .map(ftsString)
        .join(' OR ')
      // and the folder and file names, through their own trigram index (migration 0013)
      inner = `SELECT rowid FROM image_fts WHERE image_fts MATCH ?
               UNION SELECT rowid FROM image_names WHERE image_names MATCH ?`
      params.push(opts.raw ? match : `{${cols.join(' ')}} : (${match})`, match)
      kinds.push('trigram')
    } else if (isAllCjk(term)) {
      const phrase = vs
        .map((v) => `"${[...v].filter((c) => !/\s/.test(c)).join(' ')}"`)
        .join(' OR ')
      params.push(phrase)
      inner = `SELECT rowid FROM image_cjk WHERE image_cjk MATCH ?`
      kinds.push('cjk')
      if (!opts.raw) {
        // the caption check runs on the rows the query walks (a rowid look-up each), not on every
        // hit of the index: a common pair of characters has hundreds of thousands at 1M images
        sql.push(
          `${idExpr} IN (${inner}) AND EXISTS (SELECT 1 FROM image_fts f WHERE f.rowid = ${idExpr} AND (${likeCols(vs, 'f.')}))`
        )
        continue
      }
    } else {
      inner = `SELECT rowid FROM image_fts WHERE ${likeCols(vs)}`
      kinds.push('like')
    }
    sql.push(`${idExpr} IN (${inner})`)
  }
  return { sql: sql.join(' AND '), params, kinds }
}
