/** manifest.json: every file of the export with its size and sha256, plus the profile used. */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ExportProfile, ManifestFile, RenamedFile } from './types'

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function walk(dir: string, base: string, out: string[]): Promise<void> {
  for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name)
    if (e.isDirectory()) await walk(abs, base, out)
    else out.push(path.relative(base, abs).split(path.sep).join('/'))
  }
}

/**
 * Lists every file under `root` (skipping `ignore`). `known` maps a relative path to a sha256
 * already known to be right (a byte-for-byte copy of a source whose size and mtime still match
 * the import), which saves re-reading copied images.
 */
export async function listFiles(
  root: string,
  known: ReadonlyMap<string, string>,
  ignore: ReadonlySet<string>,
  signal?: AbortSignal
): Promise<ManifestFile[]> {
  const rels: string[] = []
  await walk(root, root, rels)
  rels.sort()
  const out: ManifestFile[] = []
  for (const rel of rels) {
    if (ignore.has(rel)) continue
    signal?.throwIfAborted()
    const abs = path.join(root, ...rel.split('/'))
    const st = await fs.promises.stat(abs)
    out.push({ path: rel, bytes: st.size, sha256: known.get(rel) ?? (await sha256File(abs)) })
  }
  return out
}

export interface Manifest {
  glossa: { manifest: 1 }
  format: string
  createdAt: string
  destination: string
  profile: ExportProfile
  files: ManifestFile[]
  renamed: RenamedFile[]
  images: Array<{ id: number; source: string; image: string; caption?: string }>
  skipped: Array<{ imageId: number; source: string; reason: string }>
  warnings: string[]
}
