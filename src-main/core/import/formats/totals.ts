/**
 * import.detect's totals: what importing a folder would bring in, counted before anything is
 * written — images, captioned and uncaptioned ones, caption files that belong to no image,
 * unreadable files and exact duplicates — each with a few example paths for the wizard.
 *
 * Reads only what it must: folder listings; the first bytes of each image (is it really one?);
 * and the whole content only of files that share their byte size with another (duplicates).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ImportFormatOptions, ImportTotals, ResolvedImportFormat } from '../../../shared/api'
import { IMAGE_EXTENSIONS, isImageName } from '../scan'
import { splitCaption } from '../caption-kind'
import { readRegularFile } from '../probe'
import { decodeText } from '../text'
import { candidatesFor, readMetadata } from './index'

const CAPTION_EXTENSIONS = new Set(['.txt', '.caption'])
const EXAMPLES = 5

interface Walked {
  images: string[]
  /** caption file path → claimed by an image */
  captions: Map<string, boolean>
  problems: { path: string; reason: string }[]
}

/** Every image and caption file under root (symbolic links to folders followed once). */
async function walk(root: string): Promise<Walked> {
  const out: Walked = { images: [], captions: new Map(), problems: [] }
  const visited = new Set<string>([root])
  const stack = [root]
  while (stack.length) {
    const dir = stack.pop()!
    let entries: fs.Dirent[]
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true })
    } catch (err) {
      out.problems.push({ path: dir, reason: `folder cannot be read: ${(err as Error).message}` })
      continue
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
    // sidecars of this folder by lower-cased stem + extension
    const byLower = new Map<string, string>()
    for (const e of entries) {
      const ext = path.extname(e.name).toLowerCase()
      if (CAPTION_EXTENSIONS.has(ext) && e.isFile()) {
        const full = path.join(dir, e.name)
        out.captions.set(full, false)
        byLower.set(e.name.toLowerCase(), full)
      }
    }
    for (const e of entries) {
      const full = path.join(dir, e.name)
      let isDir = e.isDirectory()
      let isFile = e.isFile()
      if (e.isSymbolicLink()) {
        try {
          const st = await fs.promises.stat(full)
          isDir = st.isDirectory()
          isFile = st.isFile()
        } catch (err) {
          if (isImageName(e.name))
            out.problems.push({ path: full, reason: `broken link: ${(err as Error).message}` })
          continue
        }
      }
      if (isDir) {
        let real: string
        try {
          real = await fs.promises.realpath(full)
        } catch {
          continue
        }
        if (visited.has(real)) continue
        visited.add(real)
        stack.push(full)
        continue
      }
      if (!isImageName(e.name)) continue
      if (!isFile) {
        out.problems.push({ path: full, reason: 'not a regular file' })
        continue
      }
      out.images.push(full)
      const stem = e.name.slice(0, e.name.length - path.extname(e.name).length).toLowerCase()
      for (const ext of CAPTION_EXTENSIONS) {
        const side = byLower.get(stem + ext)
        if (side) out.captions.set(side, true)
      }
    }
  }
  return out
}

/** Whether the first bytes are those of an image format Glossa reads; the reason if not. */
export function sniffImage(head: Buffer, size: number): string | null {
  if (size === 0) return 'empty file (0 bytes)'
  const at = (i: number, bytes: number[]): boolean => bytes.every((b, k) => head[i + k] === b)
  const ascii = (i: number, s: string): boolean => head.toString('latin1', i, i + s.length) === s
  if (at(0, [0x89, 0x50, 0x4e, 0x47])) return null // PNG
  if (at(0, [0xff, 0xd8, 0xff])) return null // JPEG
  if (ascii(0, 'GIF8')) return null
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return null
  if (ascii(0, 'BM')) return null
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a])) return null // TIFF
  if (ascii(4, 'ftyp') && /^(avif|avis|heic|heix|mif1|msf1)/.test(head.toString('latin1', 8, 12)))
    return null
  return 'not an image: its first bytes match no image format (PNG, JPEG, GIF, WebP, BMP, TIFF, AVIF)'
}

async function head(file: string): Promise<{ buf: Buffer; size: number } | string> {
  let fh: fs.promises.FileHandle | undefined
  try {
    fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const st = await fh.stat()
    const buf = Buffer.alloc(16)
    await fh.read(buf, 0, 16, 0)
    return { buf, size: st.size }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'EACCES' || code === 'EPERM'
      ? 'unreadable: permission denied'
      : `cannot be read: ${(err as Error).message}`
  } finally {
    await fh?.close()
  }
}

async function sha1(file: string): Promise<string | null> {
  try {
    const h = crypto.createHash('sha1')
    for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer)
    return h.digest('hex')
  } catch {
    return null
  }
}

async function mapLimit<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i]!)
      }
    })
  )
  return out
}

/** Counts what an import of `root` would find (see the module comment). */
export async function importTotals(
  root: string,
  format: ResolvedImportFormat,
  options: ImportFormatOptions
): Promise<ImportTotals> {
  const rel = (p: string): string => path.relative(root, p).split(path.sep).join('/')
  const w = await walk(root)

  // readable images (first bytes) and their sizes
  const sizes = new Map<number, string[]>()
  const unreadable = [...w.problems]
  const heads = await mapLimit(w.images, 8, head)
  const good: string[] = []
  w.images.forEach((file, i) => {
    const h = heads[i]!
    const reason = typeof h === 'string' ? h : sniffImage(h.buf, h.size)
    if (reason) {
      unreadable.push({ path: file, reason })
      return
    }
    good.push(file)
    const size = (h as { size: number }).size
    const list = sizes.get(size)
    if (list) list.push(file)
    else sizes.set(size, [file])
  })

  // exact duplicates: same size, then same content
  const dupeSets: string[][] = []
  let duplicates = 0
  for (const same of sizes.values()) {
    if (same.length < 2) continue
    const hashes = await mapLimit(same, 4, sha1)
    const byHash = new Map<string, string[]>()
    same.forEach((f, i) => {
      const h = hashes[i]
      if (!h) return
      const l = byHash.get(h)
      if (l) l.push(f)
      else byHash.set(h, [f])
    })
    for (const set of byHash.values())
      if (set.length > 1) {
        duplicates += set.length - 1
        dupeSets.push(set.map(rel))
      }
  }

  let captioned = 0
  let orphans: string[]
  const captionKinds = { tags: 0, text: 0, mixed: 0 }
  const countKind = (caption: string): void => {
    const k = splitCaption(caption, options.captionKind ?? 'auto').kind
    if (k !== 'empty') captionKinds[k]++
  }
  if (format === 'folder' || format === 'kohya') {
    const byDirStem = new Map<string, string>()
    for (const [file, claimed] of w.captions)
      if (claimed && !byDirStem.has(stemKey(file))) byDirStem.set(stemKey(file), file)
    const sidecars = good.flatMap((f) => {
      const side = byDirStem.get(stemKey(f))
      return side ? [side] : []
    })
    captioned = sidecars.length
    orphans = [...w.captions].filter(([, claimed]) => !claimed).map(([f]) => f)
    // every caption is read once, a few at a time, to count how the import will read it
    await mapLimit(sidecars, 8, async (side) => {
      try {
        countKind(decodeText((await readRegularFile(side)).buf).text)
      } catch {
        // an unreadable caption file is reported by the import itself, naming it
      }
    })
  } else {
    // metadata formats: captioned = images a row with a caption points at; orphans = rows
    // whose image is not there
    const goodSet = new Set(good)
    const withCaption = new Set<string>()
    orphans = []
    try {
      const { results } = await readMetadata(root, format, options)
      for (const row of results.flatMap((r) => r.rows)) {
        let hit = candidatesFor(row).find((c) => goodSet.has(c))
        if (!hit && !IMAGE_EXTENSIONS.has(path.extname(row.key).toLowerCase()))
          for (const c of candidatesFor(row)) {
            hit = good.find((g) => g.startsWith(c + '.'))
            if (hit) break
          }
        if (!hit) orphans.push(row.key)
        else if (row.caption?.trim()) {
          withCaption.add(hit)
          countKind(row.caption)
        }
      }
    } catch {
      // unreadable metadata is reported as a warning by the preview itself
    }
    captioned = withCaption.size
  }

  return {
    images: good.length,
    captioned,
    uncaptioned: good.length - captioned,
    orphanCaptions: orphans.length,
    unreadable: unreadable.length,
    duplicates,
    captionKinds,
    examples: {
      orphanCaptions: orphans.slice(0, EXAMPLES).map((p) => (path.isAbsolute(p) ? rel(p) : p)),
      unreadable: unreadable
        .slice(0, EXAMPLES)
        .map((u) => ({ path: rel(u.path), reason: u.reason })),
      duplicates: dupeSets.slice(0, EXAMPLES)
    }
  }
}

/** A file's folder and lower-cased stem (how a sidecar is matched to its image). */
function stemKey(file: string): string {
  const base = path.basename(file)
  return path.join(
    path.dirname(file),
    base.slice(0, base.length - path.extname(base).length).toLowerCase()
  )
}
