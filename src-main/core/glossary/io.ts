/** Shared import plumbing (validation, duplicates, encoding) and the JSON format. */
import chardet from 'chardet'
import iconv from 'iconv-lite'
import { z } from 'zod'
import { GlossaryEntry, type GlossaryEntryInput } from './schema'
import { fold } from './script'
import { GlossaError, jsonErrorWhere } from '../../shared/errors'

export interface RowError {
  /** 1-based: the spreadsheet row for CSV (header = 1), the array position for JSON. */
  row: number
  column?: string
  message: string
}

export interface GlossaryImport {
  entries: GlossaryEntry[]
  errors: RowError[]
}

export function decodeUtf8(data: Uint8Array, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data)
  } catch {
    const guess = guessEncoding(data)
    throw new GlossaError(
      'INVALID_ARGS',
      `${fileName}: not UTF-8${guess ? ` (it looks like ${guess})` : ''}; save it as UTF-8 and import again`
    )
  }
}

/** chardet misreads short Chinese text as a Latin code page; GB18030 is checked first. */
function guessEncoding(data: Uint8Array): string | null {
  const gb = iconv.decode(Buffer.from(data), 'gb18030')
  if (!gb.includes('\uFFFD') && /\p{Script=Han}/u.test(gb)) return 'GB18030'
  return chardet.detect(data)
}

type Loose = Record<string, unknown>
/** Drops empty strings and undefined so defaults apply and "" is not a value. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v
  if (v && typeof v === 'object') {
    const out: Loose = {}
    for (const [k, x] of Object.entries(v as Loose)) {
      const c = clean(x)
      if (c !== undefined && c !== '') out[k] = c
    }
    return out
  }
  return v
}

export function buildEntry(
  row: number,
  input: unknown
): { entry: GlossaryEntry } | { errors: RowError[] } {
  const r = GlossaryEntry.safeParse(clean(input))
  if (r.success) return { entry: r.data }
  return {
    errors: r.error.issues.map((i) => ({
      row,
      column: i.path.join('.') || undefined,
      message: i.message
    }))
  }
}

/** Drops later rows that repeat an earlier name (either language, folded), with a row error. */
export function dedupe(
  built: { row: number; entry: GlossaryEntry }[],
  errors: RowError[]
): GlossaryEntry[] {
  const names = new Map<string, number>()
  const ids = new Set<string>()
  const out: GlossaryEntry[] = []
  for (const { row, entry } of built) {
    const keys = (['zh', 'en'] as const)
      .map((l) => entry.name[l])
      .filter((n): n is string => !!n)
      .map((n) => [n, fold(n)] as const)
    const dup = keys.find(([, k]) => names.has(k))
    if (dup) {
      errors.push({
        row,
        message: `duplicate name ${JSON.stringify(dup[0])} (first on row ${names.get(dup[1])})`
      })
      continue
    }
    for (const [, k] of keys) names.set(k, row)
    let id = entry.id
    for (let n = 2; ids.has(id); n++) id = `${entry.id}-${n}`
    ids.add(id)
    out.push(id === entry.id ? entry : { ...entry, id })
  }
  return out
}

const JsonFile = z.union([
  z.array(z.unknown()),
  z.object({
    format: z.literal('glossa.glossary'),
    version: z.literal(1),
    entries: z.array(z.unknown())
  })
])

export function importGlossaryJson(
  data: Uint8Array | string,
  fileName = 'glossary.json'
): GlossaryImport {
  const text = typeof data === 'string' ? data : decodeUtf8(data, fileName)
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (e) {
    throw new GlossaError('INVALID_ARGS', `${fileName}: not valid JSON (${jsonErrorWhere(e)})`)
  }
  const file = JsonFile.safeParse(json)
  if (!file.success) {
    throw new GlossaError(
      'INVALID_ARGS',
      `${fileName}: expected an array of entries or {format: "glossa.glossary", version: 1, entries}`
    )
  }
  const list = Array.isArray(file.data) ? file.data : file.data.entries
  const errors: RowError[] = []
  const built: { row: number; entry: GlossaryEntry }[] = []
  list.forEach((item, i) => {
    const withId =
      item && typeof item === 'object' && !('id' in item) ? { ...item, id: `entry-${i + 1}` } : item
    const r = buildEntry(i + 1, withId)
    if ('errors' in r) errors.push(...r.errors)
    else built.push({ row: i + 1, entry: r.entry })
  })
  const entries = dedupe(built, errors)
  errors.sort((a, b) => a.row - b.row)
  return { entries, errors }
}

export function exportGlossaryJson(entries: readonly GlossaryEntryInput[]): string {
  return `${JSON.stringify({ format: 'glossa.glossary', version: 1, entries }, null, 2)}\n`
}
