/**
 * The import wizard's folder browser (fs.list) and the path rules of import: `~` is the home
 * folder of the user running the core, and browsing is confined to the allowed roots.
 *
 * Roots: the home folder, plus the folders listed in GLOSSA_BROWSE_ROOTS (separated like PATH).
 * A path is inside a root when its real path (symbolic links resolved) is the root or below it,
 * so a link cannot lead out. fs.list returns folder names and how many image files a folder holds
 * (counted from names only); it never reads or returns the contents of a file. Typing a path in
 * import.start / import.detect is not confined (the CLI and the desktop app import any folder the
 * user can read); the browser only decides what can be clicked through.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FsListResult } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { isImageName } from './scan'

/** Most folders listed at once (the rest are counted, not listed). */
export const FS_LIST_MAX = 2000

/** `~` and `~/x` → the home folder of the user running the core; anything else unchanged. */
export function expandHome(p: string): string {
  const t = p.trim()
  if (t === '~') return os.homedir()
  if (t.startsWith('~/') || t.startsWith('~\\')) return path.join(os.homedir(), t.slice(2))
  return t
}

/** The folders the browser may show, as real paths (missing ones are left out). */
export function browseRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.GLOSSA_BROWSE_ROOTS ?? '')
    .split(path.delimiter)
    .map((s) => s.trim())
    .filter(Boolean)
  const out: string[] = []
  for (const r of [os.homedir(), ...listed]) {
    try {
      const real = fs.realpathSync(path.resolve(expandHome(r)))
      if (!out.includes(real)) out.push(real)
    } catch {
      // a root that does not exist is not offered
    }
  }
  return out
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

function describe(err: unknown, p: string): GlossaError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new GlossaError('NOT_FOUND', `${p}: no such folder`, { path: p })
  if (code === 'EACCES' || code === 'EPERM')
    return new GlossaError('FORBIDDEN', `${p}: permission denied (you may not read this folder)`, {
      path: p
    })
  return new GlossaError('IO_ERROR', `${p}: ${(err as Error).message}`, { path: p })
}

/** Lists the sub-folders of `dir` (or the roots when `dir` is absent). */
export async function listFolder(
  dir: string | undefined,
  opts: { hidden?: boolean; roots?: string[] } = {}
): Promise<FsListResult> {
  const roots = opts.roots ?? browseRoots()
  if (dir === undefined || dir.trim() === '')
    return {
      path: null,
      parent: null,
      roots,
      dirs: roots.map((r) => ({ name: r, path: r })),
      images: 0,
      truncated: 0
    }
  const asked = path.resolve(expandHome(dir))
  let real: string
  try {
    real = await fs.promises.realpath(asked)
  } catch (err) {
    throw describe(err, asked)
  }
  const root = roots.find((r) => inside(r, real))
  if (!root)
    throw new GlossaError(
      'FORBIDDEN',
      `${asked}: outside the folders the browser may show (${roots.join(', ') || 'none'}); type the path instead, or add its folder to GLOSSA_BROWSE_ROOTS where the Glossa server runs`,
      { path: asked, roots }
    )
  let entries: fs.Dirent[]
  try {
    const st = await fs.promises.stat(real)
    if (!st.isDirectory())
      throw new GlossaError('INVALID_ARGS', `${asked}: not a folder`, { path: asked })
    entries = await fs.promises.readdir(real, { withFileTypes: true })
  } catch (err) {
    if (err instanceof GlossaError) throw err
    throw describe(err, asked)
  }
  const dirs: { name: string; path: string }[] = []
  let images = 0
  for (const e of entries) {
    if (e.isFile() && isImageName(e.name)) images++
    if (!opts.hidden && e.name.startsWith('.')) continue
    let isDir = e.isDirectory()
    if (!isDir && e.isSymbolicLink()) {
      // a link to a folder inside the roots is a folder; one leading out is not shown
      try {
        const target = await fs.promises.realpath(path.join(real, e.name))
        isDir =
          (await fs.promises.stat(target)).isDirectory() && roots.some((r) => inside(r, target))
      } catch {
        isDir = false
      }
    }
    if (isDir) dirs.push({ name: e.name, path: path.join(real, e.name) })
  }
  dirs.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
  return {
    path: real,
    parent: real === root ? null : path.dirname(real),
    roots,
    dirs: dirs.slice(0, FS_LIST_MAX),
    images,
    truncated: Math.max(0, dirs.length - FS_LIST_MAX)
  }
}
