/** manifest.json: every file of the export with its size and sha256, plus the profile used. */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pool, statFile } from './pool'
import type { IntendedCaption } from './caption'
import type { ExportProfile, ManifestFile, RenamedFile } from './types'

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export function sha256Of(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex')
}

/** What the exporter knows about a file it wrote: its size and sha256. */
export interface KnownFile {
  bytes: number
  sha256: string
}

/** Every file under `dir` ('/'-separated, relative to `base`), one readdir per folder. */
async function walk(dir: string, base: string, out: string[]): Promise<void> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true })
  const subdirs: string[] = []
  for (const e of entries) {
    const abs = path.join(dir, e.name)
    if (e.isDirectory()) subdirs.push(abs)
    else out.push(path.relative(base, abs).split(path.sep).join('/'))
  }
  await Promise.all(subdirs.map((d) => walk(d, base, out)))
}

/**
 * Lists every file under `root` (skipping `ignore`), sorted by path. `known` holds what the
 * exporter already knows for the files it wrote: captions and metadata hashed from the very bytes
 * it wrote, and copied or linked images whose import sha256 still holds (size and mtime of the
 * source unchanged). Any other file found on disk (a re-encoded image, or anything unexpected) is
 * stat'ed and hashed from disk, so the manifest lists exactly what is there; the validation pass
 * then checks every listed size against the disk.
 */
export async function listFiles(
  root: string,
  known: ReadonlyMap<string, KnownFile>,
  ignore: ReadonlySet<string>,
  signal?: AbortSignal
): Promise<ManifestFile[]> {
  const rels: string[] = []
  await walk(root, root, rels)
  const onDisk = rels.filter((r) => !ignore.has(r)).sort()
  const out: ManifestFile[] = new Array<ManifestFile>(onDisk.length)
  const unknown: number[] = []
  for (const [i, rel] of onDisk.entries()) {
    const k = known.get(rel)
    if (k) out[i] = { path: rel, bytes: k.bytes, sha256: k.sha256 }
    else unknown.push(i)
  }
  if (onDisk.length - unknown.length !== known.size) {
    const present = new Set(onDisk)
    const missing = [...known.keys()].filter((r) => !present.has(r))
    if (missing.length > 0)
      throw new Error(`files vanished from the staging folder: ${missing.slice(0, 5).join(', ')}`)
  }
  await pool(unknown, 8, signal, async (i) => {
    const rel = onDisk[i] as string
    const abs = path.join(root, ...rel.split('/'))
    const st = await statFile(abs)
    out[i] = { path: rel, bytes: st.size, sha256: await sha256File(abs) }
  })
  signal?.throwIfAborted()
  return out
}

export interface Manifest {
  /** 2: images carry `intended`, the caption each should train on (the fidelity check's input) */
  glossa: { manifest: 2 }
  format: string
  createdAt: string
  destination: string
  profile: ExportProfile
  files: ManifestFile[]
  renamed: RenamedFile[]
  images: Array<{
    id: number
    source: string
    image: string
    caption?: string
    intended: IntendedCaption
  }>
  skipped: Array<{ imageId: number; source: string; reason: string }>
  warnings: string[]
}
