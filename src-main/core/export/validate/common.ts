/** Small readers shared by the validators. Nothing here is shared with the exporter. */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { pool, readWholeFile, statFile } from '../pool'
import type { ValidationIssue, ValidationReport } from '../types'

/** What a format's reader found: the subsets as the trainer sees them, and the kind of paths. */
export interface FormatReadBack {
  subsets: ValidationReport['subsets']
  /** a path in the configs is relative: the trainer resolves it against its working directory */
  relative: boolean
}

export class Issues {
  readonly list: ValidationIssue[] = []
  error(message: string, p?: string): void {
    this.list.push(p ? { level: 'error', message, path: p } : { level: 'error', message })
  }
  warn(message: string, p?: string): void {
    this.list.push(p ? { level: 'warning', message, path: p } : { level: 'warning', message })
  }
  get ok(): boolean {
    return !this.list.some((i) => i.level === 'error')
  }
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

export async function readToml(
  file: string,
  issues: Issues
): Promise<Record<string, unknown> | null> {
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch {
    issues.error('dataset_config.toml is missing', file)
    return null
  }
  try {
    return parseToml(text) as Record<string, unknown>
  } catch (err) {
    issues.error(`dataset_config.toml does not parse: ${(err as Error).message}`, file)
    return null
  }
}

/** Strict UTF-8 decode as Python's open(encoding="utf-8") would (a BOM stays in the text). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function decodeUtf8(buf: Buffer): string | null {
  try {
    return STRICT_UTF8.decode(buf)
  } catch {
    return null
  }
}

export async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isDirectory()
  } catch {
    return false
  }
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isFile()
  } catch {
    return false
  }
}

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin'

/**
 * One validation pass over an export: each folder is listed once (readdir with file types) and
 * shared by the validator and the manifest check; sizes of files the validator read in full are
 * remembered so the manifest check need not stat them again.
 */
export class ReadBack {
  private readonly dirs = new Map<string, Promise<fs.Dirent[] | null>>()
  /** absolute path → size in bytes, for files read in full during the pass */
  readonly sizes = new Map<string, number>()

  /** the folder's entries, or null when it cannot be listed */
  list(dir: string): Promise<fs.Dirent[] | null> {
    let p = this.dirs.get(dir)
    if (!p) {
      p = fs.promises.readdir(dir, { withFileTypes: true }).catch(() => null)
      this.dirs.set(dir, p)
    }
    return p
  }

  /** os.path.isfile(): a regular file, following symlinks, answered from the folder listing */
  async isFile(file: string): Promise<boolean> {
    const dir = path.dirname(file)
    const entries = await this.list(dir)
    if (entries === null) return isFile(file)
    const e = this.index(dir, entries).get(path.basename(file))
    // a name a case-insensitive filesystem would still match, or a symlink: ask the filesystem
    if (!e) return CASE_INSENSITIVE ? isFile(file) : false
    if (e.isFile()) return true
    return e.isSymbolicLink() ? isFile(file) : false
  }

  private readonly indexes = new Map<string, Map<string, fs.Dirent>>()
  private index(dir: string, entries: fs.Dirent[]): Map<string, fs.Dirent> {
    let m = this.indexes.get(dir)
    if (!m) {
      m = new Map(entries.map((e) => [e.name, e]))
      this.indexes.set(dir, m)
    }
    return m
  }

  /** reads a whole file, remembering its size */
  async read(file: string): Promise<Buffer> {
    const buf = await readWholeFile(file)
    this.sizes.set(file, buf.length)
    return buf
  }
}

/** manifest.json, parsed (null when missing or not JSON). */
export async function readManifest(root: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.promises.readFile(path.join(root, 'manifest.json'), 'utf8'))
  } catch {
    return null
  }
}

/** Checks manifest.json against the files on disk: present, sizes match, nothing unlisted. */
export async function checkManifest(
  root: string,
  m: unknown,
  issues: Issues,
  rb = new ReadBack()
): Promise<void> {
  const file = path.join(root, 'manifest.json')
  if (m === null) {
    issues.error('manifest.json is missing or not JSON', file)
    return
  }
  const files = isTable(m) && Array.isArray(m.files) ? (m.files as unknown[]) : null
  if (!files) {
    issues.error('manifest.json has no "files" list', file)
    return
  }
  const listed = new Set<string>()
  const entries: Array<{ path: string; bytes: number }> = []
  for (const f of files) {
    if (
      !isTable(f) ||
      typeof f.path !== 'string' ||
      typeof f.sha256 !== 'string' ||
      typeof f.bytes !== 'number'
    ) {
      issues.error('manifest.json has a malformed file entry', file)
      continue
    }
    listed.add(f.path)
    entries.push({ path: f.path, bytes: f.bytes })
  }
  // sizes: from the read-back when the file was read in full, else one stat each (in parallel)
  const found = new Array<number | null>(entries.length)
  await pool(entries, 32, undefined, async (f, i) => {
    const abs = path.join(root, ...f.path.split('/'))
    const size = rb.sizes.get(abs)
    if (size !== undefined) found[i] = size
    else
      found[i] = await statFile(abs).then(
        (st) => st.size,
        () => null
      )
  })
  for (const [i, f] of entries.entries()) {
    const size = found[i]
    if (size === null || size === undefined)
      issues.error('listed in manifest.json but missing', f.path)
    else if (size !== f.bytes)
      issues.error(`size differs from the manifest (${size} ≠ ${f.bytes})`, f.path)
  }
  const walk = async (dir: string): Promise<void> => {
    const subdirs: string[] = []
    for (const e of (await rb.list(dir)) ?? []) {
      const abs = path.join(dir, e.name)
      if (e.isDirectory()) subdirs.push(abs)
      else {
        const rel = path.relative(root, abs).split(path.sep).join('/')
        if (rel !== 'manifest.json' && !listed.has(rel))
          issues.warn('file not listed in manifest.json', rel)
      }
    }
    for (const d of subdirs) await walk(d)
  }
  await walk(root)
}
