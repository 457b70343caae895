/**
 * Destination rules and the staging folder. The destination must be new or an empty folder, and
 * may not be equal to, inside or around any source folder (compared after realpath, so symlinks
 * cannot sneak around the check). Work happens in a staging folder beside the destination, renamed
 * into place at the end, so a cancelled or killed export never leaves a half-written dataset.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { GlossaError } from '../../shared/errors'

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin'
const STAGING_MARK = '.glossa-staging.json'

/** realpath of a path that may not exist yet: the nearest existing ancestor, resolved, plus the rest. */
export async function realpathLoose(p: string): Promise<string> {
  let cur = path.resolve(p)
  const rest: string[] = []
  for (;;) {
    try {
      const real = await fs.promises.realpath(cur)
      return path.join(real, ...rest.reverse())
    } catch {
      const parent = path.dirname(cur)
      if (parent === cur) return path.resolve(p)
      rest.push(path.basename(cur))
      cur = parent
    }
  }
}

function norm(p: string): string {
  return CASE_INSENSITIVE ? p.toLowerCase() : p
}

/** true when `inner` is `outer` or below it */
export function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(norm(outer), norm(inner))
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** Checks the destination; returns its resolved path. Throws before anything is written. */
export async function checkDestination(
  destination: string,
  sourceDirs: Iterable<string>
): Promise<string> {
  if (destination.trim() === '')
    throw new GlossaError('INVALID_ARGS', 'Cannot export: no destination folder was given.')
  const dest = await realpathLoose(destination)
  if (path.dirname(dest) === dest) {
    throw new GlossaError('FORBIDDEN', `Cannot export into the root folder ${dest}.`, {
      destination: dest
    })
  }
  const seen = new Set<string>()
  for (const dir of sourceDirs) {
    const src = await realpathLoose(dir)
    if (seen.has(src)) continue
    seen.add(src)
    if (isWithin(dest, src)) {
      const how = norm(dest) === norm(src) ? 'is the source folder' : 'is inside the source folder'
      throw new GlossaError(
        'FORBIDDEN',
        `Cannot export to ${dest}: it ${how} ${src}. Choose a folder outside your sources.`,
        {
          destination: dest,
          source: src
        }
      )
    }
    if (isWithin(src, dest)) {
      throw new GlossaError(
        'FORBIDDEN',
        `Cannot export to ${dest}: it contains the source folder ${src}. Choose a new, empty folder.`,
        {
          destination: dest,
          source: src
        }
      )
    }
  }
  let st: fs.Stats | undefined
  try {
    st = await fs.promises.stat(dest)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new GlossaError('IO_ERROR', `Cannot export to ${dest}: ${(err as Error).message}`)
    }
  }
  if (st) {
    if (!st.isDirectory())
      throw new GlossaError(
        'CONFLICT',
        `Cannot export to ${dest}: it exists and is not a folder.`,
        { destination: dest }
      )
    const entries = await fs.promises.readdir(dest)
    if (entries.length > 0) {
      throw new GlossaError(
        'CONFLICT',
        `Cannot export to ${dest}: the folder is not empty (${entries.length} entries). Choose a new or empty folder.`,
        {
          destination: dest,
          entries: entries.length
        }
      )
    }
  }
  return dest
}

function stagingPrefix(dest: string): string {
  return `.${path.basename(dest)}.glossa-staging-`
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes staging folders a crashed export left beside this destination: only folders with our
 * name pattern AND our marker file whose process is gone. Returns the removed paths.
 */
export async function cleanStaleStaging(dest: string): Promise<string[]> {
  const parent = path.dirname(dest)
  const prefix = stagingPrefix(dest)
  let names: string[]
  try {
    names = await fs.promises.readdir(parent)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const dir = path.join(parent, name)
    try {
      const pid = await stagingPid(dir, name.slice(prefix.length))
      if (pid === null || pid === process.pid || alive(pid)) continue
      await fs.promises.rm(dir, { recursive: true, force: true })
      removed.push(dir)
    } catch {
      // unreadable: not ours to delete
    }
  }
  return removed
}

/**
 * The pid that made a staging folder: from its marker, or — when the marker is empty or cut
 * short (a full disk) — from the folder's own name (`…-staging-<pid>-<hex>`), provided the
 * marker file exists. null: not a staging folder of ours.
 */
async function stagingPid(dir: string, suffix: string): Promise<number | null> {
  const text = await fs.promises.readFile(path.join(dir, STAGING_MARK), 'utf8')
  try {
    const mark = JSON.parse(text) as { pid?: unknown }
    if (typeof mark.pid === 'number') return mark.pid
  } catch {
    // an empty or partial marker: the name decides
  }
  const m = /^(\d+)-[0-9a-f]{8}$/.exec(suffix)
  return m ? Number(m[1]) : null
}

export async function createStaging(dest: string): Promise<string> {
  await fs.promises.mkdir(path.dirname(dest), { recursive: true })
  const dir = path.join(
    path.dirname(dest),
    `${stagingPrefix(dest)}${process.pid}-${crypto.randomBytes(4).toString('hex')}`
  )
  await fs.promises.mkdir(dir)
  try {
    await fs.promises.writeFile(
      path.join(dir, STAGING_MARK),
      JSON.stringify({ pid: process.pid, destination: dest, startedAt: Date.now() })
    )
  } catch (err) {
    // a full disk: leave nothing behind (an empty marker would keep the folder forever)
    await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined)
    throw err
  }
  return dir
}

/** Moves the finished staging folder into place. The destination must still be absent or empty. */
export async function commitStaging(staging: string, dest: string): Promise<void> {
  await fs.promises.rm(path.join(staging, STAGING_MARK), { force: true })
  try {
    await fs.promises.rmdir(dest) // an empty destination folder; fails if something appeared in it
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') {
      throw new GlossaError(
        'CONFLICT',
        `Cannot finish the export: ${dest} is no longer empty (${code}). Nothing was changed there.`
      )
    }
  }
  await fs.promises.rename(staging, dest)
}
