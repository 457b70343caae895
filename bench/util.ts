import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { closeDatabase, openDatabase } from '../src-main/core/db/open'
import { prng, seedLibrary } from '../test/db/helpers'
import type { Core } from '../src-main/core'
import { round, type BenchContext } from './types'

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
  p99: number
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
    p99: round(percentile(s, 99), 3),
    max: round(s[s.length - 1] ?? Number.NaN, 3),
    mean: round(mean, 3)
  }
}

/** mulberry32 (the seeder's): deterministic PRNG so runs pick the same random cursors and queries. */
export { prng }

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

let gcFn: (() => void) | undefined

/**
 * A full garbage collection, so that a timed section starts on a clean heap and is charged for
 * its own garbage only, not for what the section before it left behind (V8's gc(), reached
 * without --expose-gc on the command line).
 */
export function fullGc(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc')
    gcFn = vm.runInNewContext('gc') as () => void
  }
  gcFn()
}

export function elapsedMs(t0: number): number {
  return performance.now() - t0
}

/**
 * A library of one dataset of `n` seeded images (test/db/helpers.ts seedLibrary with `seed`),
 * made once and cached in bench/.cache, checkpointed and ANALYZEd. Benchmarks asking for the
 * same `n` and `seed` share the file (each works on a copy: see seededCopy); the cache key
 * follows the seeder, the CJK index it fills and the migrations.
 */
export async function seededLibrary(ctx: BenchContext, n: number, seed: number): Promise<string> {
  const migrations = fs
    .readdirSync(path.join(REPO_DIR, 'src-main/core/db/migrations'))
    .map((f) => `src-main/core/db/migrations/${f}`)
    .sort()
  const hash = sourceHash([
    'test/db/helpers.ts',
    'src-main/core/captions/text/cjk.ts',
    ...migrations
  ])
  return cached(
    ctx.cacheDir,
    `seeded-library-${n}-s${seed}-${hash}.sqlite`,
    async (target) => {
      const db = openDatabase(target)
      try {
        seedLibrary(db, { datasets: 1, imagesPerDataset: n, seed })
        db.pragma('wal_checkpoint(TRUNCATE)')
        db.exec('ANALYZE')
      } finally {
        closeDatabase(db)
      }
    },
    ctx.log
  )
}

/** A private copy of seededLibrary(n, seed) at `<tmpDir>/<file>`, for one benchmark to change. */
export async function seededCopy(
  ctx: BenchContext,
  n: number,
  seed: number,
  file = 'library.sqlite'
): Promise<string> {
  const lib = path.join(ctx.tmpDir, file)
  fs.copyFileSync(await seededLibrary(ctx, n, seed), lib)
  return lib
}

/** The event loop's p99 delay over `ms` with nothing running: the reference for loop figures. */
export async function idleLoopP99(ms = 1000): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  await new Promise((r) => setTimeout(r, ms))
  h.disable()
  return h.percentile(99) / 1e6
}

/** Imports `dir` as a dataset (benchmark setup, not measured); every file must import. */
export async function importForBench(core: Core, dir: string, name: string): Promise<number> {
  const imp = await core.call('import.start', { dir, datasetName: name })
  const job = await core.waitForJob(imp.jobId)
  if (job.status !== 'done' || job.failed > 0)
    throw new Error(`bench import ended ${job.status} with ${job.failed} failures`)
  return imp.datasetId
}
