import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { round } from './types'

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
export const REPO_DIR = path.dirname(BENCH_DIR)

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

export interface Summary {
  n: number
  p50: number
  p95: number
  max: number
  mean: number
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b)
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)
  return {
    n: s.length,
    p50: round(percentile(s, 50), 3),
    p95: round(percentile(s, 95), 3),
    max: round(s[s.length - 1] ?? Number.NaN, 3),
    mean: round(mean, 3)
  }
}

/** mulberry32: deterministic PRNG so runs pick the same random cursors and queries. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!
}

/** A short hash of the files a fixture depends on, so the cache follows their changes. */
export function sourceHash(files: string[], extra = ''): string {
  const h = crypto.createHash('sha256').update(extra)
  for (const f of files) h.update(fs.readFileSync(path.resolve(REPO_DIR, f)))
  return h.digest('hex').slice(0, 12)
}

/**
 * A cached fixture folder or file under bench/.cache, keyed by its parameters. `make` writes into
 * a temporary name that is renamed into place when complete, so an interrupted run never leaves
 * a half-made fixture behind as if it were whole.
 */
export async function cached(
  cacheDir: string,
  key: string,
  make: (target: string) => Promise<void>,
  log: (m: string) => void
): Promise<string> {
  const target = path.join(cacheDir, key)
  if (fs.existsSync(target)) {
    log(`using cached fixture ${path.relative(REPO_DIR, target)}`)
    return target
  }
  fs.mkdirSync(cacheDir, { recursive: true })
  const partial = `${target}.partial-${process.pid}`
  await fs.promises.rm(partial, { recursive: true, force: true })
  log(`generating fixture ${path.relative(REPO_DIR, target)} (kept for later runs)…`)
  const t0 = performance.now()
  await make(partial)
  await fs.promises.rename(partial, target)
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  return target
}

export function elapsedMs(t0: number): number {
  return performance.now() - t0
}
