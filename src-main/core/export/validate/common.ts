/** Small readers shared by the validators. Nothing here is shared with the exporter. */
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import type { ValidationIssue } from '../types'

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
export function decodeUtf8(buf: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf)
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

/** Checks manifest.json against the files on disk: present, sizes match, nothing unlisted. */
export async function checkManifest(root: string, issues: Issues): Promise<void> {
  const file = path.join(root, 'manifest.json')
  let m: unknown
  try {
    m = JSON.parse(await fs.promises.readFile(file, 'utf8'))
  } catch {
    issues.error('manifest.json is missing or not JSON', file)
    return
  }
  const files = isTable(m) && Array.isArray(m.files) ? (m.files as unknown[]) : null
  if (!files) {
    issues.error('manifest.json has no "files" list', file)
    return
  }
  const listed = new Set<string>()
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
    try {
      const st = await fs.promises.stat(path.join(root, ...f.path.split('/')))
      if (st.size !== f.bytes)
        issues.error(`size differs from the manifest (${st.size} ≠ ${f.bytes})`, f.path)
    } catch {
      issues.error('listed in manifest.json but missing', f.path)
    }
  }
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name)
      if (e.isDirectory()) await walk(abs)
      else {
        const rel = path.relative(root, abs).split(path.sep).join('/')
        if (rel !== 'manifest.json' && !listed.has(rel))
          issues.warn('file not listed in manifest.json', rel)
      }
    }
  }
  await walk(root)
}
