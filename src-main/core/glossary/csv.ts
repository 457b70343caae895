/**
 * The interchange CSV people edit in a spreadsheet.
 *  - UTF-8, a BOM accepted (and written on export, so spreadsheets read it as UTF-8); anything
 *    else is refused with an error naming the likely encoding.
 *  - One header row; columns in any order (names trimmed, case-insensitive) from CSV_COLUMNS; an
 *    unknown or repeated column is an error naming it. name_zh or name_en must be a column, and
 *    each row needs at least one of them.
 *  - List cells are separated by `|`; `\|` is a literal bar and `\\` a literal backslash.
 *  - `keywords` holds caption keywords and regex triggers: an item written `/source/flags` is a
 *    regex. Manual image assignments are not part of the CSV (they are library ids); use JSON.
 *  - Formula safety: on export a cell starting with = + - @ TAB or CR is prefixed with `'`, so no
 *    spreadsheet runs it. On import that `'` prefix is removed again, and an unprefixed cell
 *    starting with = @ TAB or CR, or + / - followed by anything but a digit, is a row error (the
 *    row is not imported): such a cell is a formula or an injection attempt, never a name.
 *  - Every problem in a row is a row-level error; good rows are imported.
 */
import { parse as parseCsv } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { GlossaError } from '../../shared/errors'
import { MAX_CELL, type GlossaryEntry } from './schema'
import { buildEntry, decodeUtf8, dedupe, type GlossaryImport, type RowError } from './io'

export const CSV_COLUMNS = [
  'name_zh',
  'name_en',
  'aliases_zh',
  'aliases_en',
  'kind',
  'facts_zh',
  'facts_en',
  'tags',
  'keywords',
  'paths',
  'target',
  'mode',
  'trigger',
  'fixed_traits'
] as const
export type CsvColumn = (typeof CSV_COLUMNS)[number]
const LIST_COLUMNS = new Set<CsvColumn>([
  'aliases_zh',
  'aliases_en',
  'tags',
  'keywords',
  'paths',
  'fixed_traits'
])

const FORMULA_START = /^[=+\-@\t\r]/u

export function splitList(cell: string): string[] {
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i] as string
    const next = cell[i + 1]
    if (ch === '\\' && (next === '|' || next === '\\')) {
      cur += next
      i++
    } else if (ch === '|') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out.map((s) => s.trim()).filter(Boolean)
}

export function joinList(items: readonly string[]): string {
  return items
    .map((s) =>
      Array.from(s)
        .map((ch, i, a) =>
          ch === '|'
            ? '\\|'
            : ch === '\\' && (i === a.length - 1 || a[i + 1] === '|' || a[i + 1] === '\\')
              ? '\\\\'
              : ch
        )
        .join('')
    )
    .join('|')
}

/** A cell a spreadsheet would run as a formula gets a leading apostrophe. */
export function safeCell(v: string): string {
  return FORMULA_START.test(v) ? `'${v}` : v
}

function formulaProblem(raw: string): string | null {
  if (/^'[=+\-@\t\r]/u.test(raw)) return null
  if (/^[=@\t\r]/u.test(raw) || /^[+-](?![\d\s]|$)/u.test(raw)) {
    return `starts with ${JSON.stringify(raw[0])} and would run as a spreadsheet formula`
  }
  return null
}

function unescapeCell(raw: string): string {
  return /^'[=+\-@\t\r]/u.test(raw) ? raw.slice(1) : raw
}

export function importGlossaryCsv(
  data: Uint8Array | string,
  fileName = 'glossary.csv'
): GlossaryImport {
  const text = typeof data === 'string' ? data : decodeUtf8(data, fileName)
  const errors: RowError[] = []
  const rows = parseCsv(text, {
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    on_skip: (err) => {
      if (!err) return
      const e = err as Error & { records?: number; lines?: number }
      errors.push({
        row: (e.records ?? 0) + 1,
        message: `${e.message} (line ${e.lines ?? '?'}); the rest of the file could not be read`
      })
    }
  }) as unknown as { record: string[]; info: { records: number; lines: number } }[]
  const header = rows[0]?.record
  if (!header) throw fileError(fileName, 'no header row')
  const columns = header.map((h) => h.trim().toLowerCase())
  const seen = new Set<string>()
  for (const [i, c] of columns.entries()) {
    if (!(CSV_COLUMNS as readonly string[]).includes(c)) {
      // name the cell only when it looks like a column name: never echo a line of any file
      const name = /^[\w .-]{1,40}$/u.test(c) ? ` ${JSON.stringify(c)}` : ''
      throw fileError(
        fileName,
        `unknown column${name} (header cell ${i + 1}; allowed: ${CSV_COLUMNS.join(', ')})`
      )
    }
    if (seen.has(c)) throw fileError(fileName, `column ${JSON.stringify(c)} appears twice`)
    seen.add(c)
  }
  if (!seen.has('name_zh') && !seen.has('name_en')) {
    throw fileError(fileName, 'needs a name_zh or name_en column')
  }
  const built: { row: number; entry: GlossaryEntry }[] = []
  for (const { record, info } of rows.slice(1)) {
    const row = info.records
    if (record.every((c) => !c.trim())) continue
    if (record.length > columns.length) {
      errors.push({
        row,
        message: `${record.length} cells but the header has ${columns.length} columns`
      })
      continue
    }
    const cells: Partial<Record<CsvColumn, string>> = {}
    const rowErrors: RowError[] = []
    columns.forEach((c, i) => {
      const raw = record[i] ?? ''
      const col = c as CsvColumn
      if (raw.length > MAX_CELL) {
        rowErrors.push({
          row,
          column: col,
          message: `cell is ${raw.length} characters; the limit is ${MAX_CELL}`
        })
        return
      }
      const problem = formulaProblem(raw)
      if (problem) {
        rowErrors.push({ row, column: col, message: `cell ${problem}` })
        return
      }
      cells[col] = unescapeCell(raw).trim()
    })
    if (rowErrors.length) {
      errors.push(...rowErrors)
      continue
    }
    const list = (c: CsvColumn): string[] => (LIST_COLUMNS.has(c) ? splitList(cells[c] ?? '') : [])
    const keywordItems = list('keywords')
    const result = buildEntry(row, {
      id: cells.name_zh || cells.name_en || `row-${row}`,
      name: { zh: cells.name_zh, en: cells.name_en },
      aliases: { zh: list('aliases_zh'), en: list('aliases_en') },
      kind: cells.kind?.toLowerCase(),
      facts: { zh: cells.facts_zh, en: cells.facts_en },
      triggers: {
        tags: list('tags'),
        keywords: keywordItems.filter((k) => !isRegexItem(k)),
        regex: keywordItems.filter(isRegexItem),
        paths: list('paths'),
        images: []
      },
      injection: { target: cells.target, mode: cells.mode?.toLowerCase(), trigger: cells.trigger },
      fixedTraits: list('fixed_traits')
    })
    if ('errors' in result) errors.push(...result.errors)
    else built.push({ row, entry: result.entry })
  }
  const entries = dedupe(built, errors)
  errors.sort((a, b) => a.row - b.row)
  return { entries, errors }
}

function isRegexItem(s: string): boolean {
  return /^\/.+\/[a-z]*$/su.test(s)
}

function fileError(fileName: string, reason: string): GlossaError {
  return new GlossaError('INVALID_ARGS', `${fileName}: ${reason}`)
}

function regexItem(r: string): string {
  return isRegexItem(r) ? r : `/${r}/i`
}

export function exportGlossaryCsv(entries: readonly GlossaryEntry[]): string {
  const rows = entries.map((e) => {
    const v: Record<CsvColumn, string> = {
      name_zh: e.name.zh ?? '',
      name_en: e.name.en ?? '',
      aliases_zh: joinList(e.aliases.zh),
      aliases_en: joinList(e.aliases.en),
      kind: e.kind,
      facts_zh: e.facts.zh ?? '',
      facts_en: e.facts.en ?? '',
      tags: joinList(e.triggers.tags),
      keywords: joinList([...e.triggers.keywords, ...e.triggers.regex.map(regexItem)]),
      paths: joinList(e.triggers.paths),
      target: e.injection.target,
      mode: e.injection.mode,
      trigger: e.injection.trigger ?? '',
      fixed_traits: joinList(e.fixedTraits)
    }
    return CSV_COLUMNS.map((c) => safeCell(v[c]))
  })
  return `\uFEFF${stringify([[...CSV_COLUMNS], ...rows], { record_delimiter: '\r\n' })}`
}
