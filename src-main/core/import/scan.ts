import fs from 'node:fs'
import path from 'node:path'

/** Image file extensions Glossa imports, compared lower-cased. */
export const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.bmp',
  '.gif',
  '.tiff',
  '.tif',
  '.avif'
])

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase())
}

/** One thing the scan found: an image file to import, or a path that cannot be (with why). */
export interface ScanEntry {
  path: string
  error?: string
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isDirectory()) return 'a folder'
  return 'not a regular file'
}

export function describeNonRegular(st: fs.Stats): string {
  return `not a regular file: it is ${kindOf(st)}; Glossa does not open it`
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code
}

export function describeFsError(err: unknown): string {
  const code = errCode(err)
  switch (code) {
    case 'ELOOP':
      return 'symbolic link loop (ELOOP): the link never reaches a real file'
    case 'ENOENT':
      return 'file not found (ENOENT): deleted, or a dangling symbolic link'
    case 'EACCES':
    case 'EPERM':
      return `unreadable: permission denied (${code})`
    case 'EISDIR':
      return 'is a folder, not a file (EISDIR)'
    default:
      return err instanceof Error ? err.message : String(err)
  }
}

/**
 * Walks `root` (already realpath'd) depth-first in name order. Symbolic links to folders are
 * followed once; a link back to a folder on the current path (or one already walked) is reported
 * as a loop instead of being walked again. Nothing is opened except folders: FIFOs and other
 * special files are reported by their type. Yields image files and problem paths.
 */
export async function* scanFolder(
  root: string,
  signal?: AbortSignal,
  /** real paths of folders never to walk (Glossa's own data folder: thumbnails live there) */
  exclude: ReadonlySet<string> = new Set()
): AsyncGenerator<ScanEntry> {
  const visited = new Set<string>([root, ...exclude])

  async function* walk(dir: string, ancestors: Set<string>): AsyncGenerator<ScanEntry> {
    if (signal?.aborted) return
    let entries: fs.Dirent[]
    try {
      const handle = await fs.promises.opendir(dir, { bufferSize: 256 })
      entries = []
      for await (const d of handle) entries.push(d)
    } catch (err) {
      yield { path: dir, error: `folder cannot be read: ${describeFsError(err)}` }
      return
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const d of entries) {
      if (signal?.aborted) return
      const name = d.name
      const full = path.join(dir, name)
      // The folder listing's own type answers for regular files (the common case: no lstat per
      // entry, and none at all for sidecars and other non-images); links, folders, special files
      // and entries of unknown type are lstat'ed. The import's read checks the type again.
      if (d.isFile()) {
        if (isImageName(name)) yield { path: full }
        continue
      }
      let lst: fs.Stats
      try {
        lst = await fs.promises.lstat(full)
      } catch (err) {
        if (isImageName(name)) yield { path: full, error: describeFsError(err) }
        continue
      }
      let st = lst
      if (lst.isSymbolicLink()) {
        try {
          st = await fs.promises.stat(full)
        } catch (err) {
          // A loop is reported whatever the name; a dangling link only when it looks like an image.
          if (errCode(err) === 'ELOOP' || isImageName(name))
            yield { path: full, error: describeFsError(err) }
          continue
        }
      }
      if (st.isDirectory()) {
        let target: string
        try {
          target = await fs.promises.realpath(full)
        } catch (err) {
          yield { path: full, error: `folder cannot be resolved: ${describeFsError(err)}` }
          continue
        }
        if (ancestors.has(target)) {
          yield {
            path: full,
            error: `symbolic link loop: links back to its own ancestor folder ${target}; not followed`
          }
          continue
        }
        if (exclude.has(target)) continue
        if (visited.has(target)) {
          yield {
            path: full,
            error: `symbolic link to a folder already imported (${target}); not followed twice`
          }
          continue
        }
        visited.add(target)
        yield* walk(full, new Set([...ancestors, target]))
        continue
      }
      if (!isImageName(name)) continue
      if (!st.isFile()) {
        yield { path: full, error: describeNonRegular(st) }
        continue
      }
      yield { path: full }
    }
  }

  yield* walk(root, new Set([root]))
}
