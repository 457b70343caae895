/**
 * Fixtures for the studio benchmark (bench/studio.ts): the renderer build and real thumbnails
 * for the seeded 100,000-image library (bench/util.ts seededCopy).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import type { BenchContext } from './types'
import { REPO_DIR } from './util'

/** Distinct real images behind the library's thumbnails. */
const THUMB_FILES = 48

function newestMtime(dir: string): number {
  let newest = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs)
  }
  return newest
}

/**
 * out/renderer, built (again) when missing or older than the renderer's sources. If a rebuild
 * fails (someone's work in progress) and an older build exists, that build is measured and the
 * figures say so.
 */
export function ensureBuilt(ctx: BenchContext): { dir: string; build: string } {
  const dir = path.join(REPO_DIR, 'out', 'renderer')
  const index = path.join(dir, 'index.html')
  const sources = Math.max(
    newestMtime(path.join(REPO_DIR, 'src-renderer')),
    newestMtime(path.join(REPO_DIR, 'src-main', 'shared'))
  )
  const have = fs.existsSync(index)
  if (have && fs.statSync(index).mtimeMs >= sources) return { dir, build: 'current' }
  ctx.log(`studio: ${have ? 'renderer build is stale' : 'no renderer build'}; building…`)
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: REPO_DIR, stdio: 'inherit' })
  if (r.status === 0 && fs.existsSync(index)) return { dir, build: 'rebuilt' }
  if (!fs.existsSync(index)) throw new Error('`electron-vite build` failed and there is no build')
  const when = new Date(fs.statSync(index).mtimeMs).toISOString()
  ctx.log(`studio: WARNING: the build failed; measuring the existing build from ${when}`)
  return { dir, build: `stale (rebuild failed; build from ${when})` }
}

/**
 * Gives every good row one of THUMB_FILES real images: their sha256 groups them, and one row per
 * group points at the generated file (paths stay unique). Returns those rows' ids.
 */
export async function attachImages(lib: string, dir: string): Promise<number[]> {
  fs.mkdirSync(dir, { recursive: true })
  const files: string[] = []
  for (let k = 0; k < THUMB_FILES; k++) {
    const w = 640
    const h = 480
    const px = Buffer.alloc(w * h * 3)
    for (let i = 0; i < w * h; i++) {
      const x = i % w
      const y = Math.floor(i / w)
      px[i * 3] = (x * (k + 3) + y) & 255
      px[i * 3 + 1] = (y * (k + 5)) & 255
      px[i * 3 + 2] = ((x ^ y) * (k + 1)) & 255
    }
    const file = path.join(dir, `bench-${k}.jpg`)
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 85 })
      .toFile(file)
    files.push(file)
  }
  const db = new Database(lib)
  try {
    const ids: number[] = []
    db.transaction(() => {
      db.prepare(
        `UPDATE images SET sha256 = 'studio-bench-' || (id % ${THUMB_FILES}) WHERE error IS NULL`
      ).run()
      const first = db.prepare(
        `SELECT min(id) AS id FROM images WHERE error IS NULL AND id % ${THUMB_FILES} = ?`
      )
      const setPath = db.prepare('UPDATE images SET path = ? WHERE id = ?')
      files.forEach((file, k) => {
        const row = first.get(k) as { id: number | null }
        if (row.id == null) return
        setPath.run(file, row.id)
        ids.push(row.id)
      })
    })()
    return ids
  } finally {
    db.close()
  }
}
