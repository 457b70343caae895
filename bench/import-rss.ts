/**
 * Issue 2: peak memory of a whole import of many small files (metadata work dominates), measured
 * in a child process, against a child that loaded the same modules and opened a library.
 * Issue 17: peak RSS of a 1M-file import ≤ 400 MB, shown by imports of several sizes of the same
 * fixture (the first k of its 1000-file sub-folders, linked into a folder of their own): the peak
 * RSS of each, and — in the largest — checkpoints during the import with a full GC first (the
 * retained JS heap, external buffers, RSS). Per-item growth: the slope of peak RSS between the two
 * largest runs and the RSS slope over the second half of the checkpoints (the retained-heap slope
 * is reported beside them); the 1M figure is the largest run's peak plus the larger of the two
 * (never below zero) times the files still missing.
 * GLOSSA_RSS_N sets the largest size (default 200,000; --quick 10,000).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { figure, round, type Benchmark, type Figure } from './types'
import { BENCH_DIR, REPO_DIR } from './util'
import { jpegFixture } from './import-speed'
import type { Checkpoint } from './rss-child'

interface ChildReport {
  mode: string
  maxRssBytes: number
  sampledPeakBytes: number
  heapUsedPeakBytes?: number
  externalPeakBytes?: number
  files: number
  failed: number
  status: string
  ms: number
  checkpoints?: Checkpoint[]
}

function runChild(
  mode: 'import' | 'baseline',
  dir: string,
  lib: string,
  checkpoints = 0
): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        path.join(BENCH_DIR, 'rss-child.ts'),
        mode,
        dir,
        lib,
        String(checkpoints)
      ],
      { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'inherit'] }
    )
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rss-child ${mode} exited with ${code}`))
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildReport)
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    })
  })
}

const MB = 1024 * 1024

/** Least-squares slope and intercept of y over x. */
export function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN }
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my)
    sxx += (xs[i]! - mx) ** 2
  }
  const slope = sxx > 0 ? sxy / sxx : Number.NaN
  return { slope, intercept: my - slope * mx }
}

const TARGET_N = 1_000_000

export const importRss: Benchmark = {
  name: 'import-rss',
  issue: 2,
  description:
    'peak RSS of imports of many tiny images at several sizes, growth per item, 1M extrapolated',
  async run(ctx): Promise<Figure[]> {
    const env = Number(process.env.GLOSSA_RSS_N)
    const n = Number.isSafeInteger(env) && env >= 4000 ? env : ctx.quick ? 10_000 : 200_000
    const root = await jpegFixture(ctx, n, 8, { sidecars: false, perFolder: 1000 })
    const base = await runChild(
      'baseline',
      root,
      path.join(ctx.tmpDir, 'baseline', 'library.sqlite')
    )
    // smaller imports: folders of links to the first k sub-folders of the fixture
    const parts = fs.readdirSync(root).sort()
    const fractions = [0.1, 0.5]
    const runs: { size: number; report: ChildReport }[] = []
    for (const f of fractions) {
      const k = Math.max(1, Math.round(parts.length * f))
      const dir = path.join(ctx.tmpDir, `first-${k}`)
      fs.mkdirSync(dir)
      for (const p of parts.slice(0, k)) fs.symlinkSync(path.join(root, p), path.join(dir, p))
      ctx.log(`import-rss: importing ${k} of ${parts.length} folders of 8×8 JPEGs in a child…`)
      const report = await runChild('import', dir, path.join(ctx.tmpDir, `lib-${k}`, 'l.sqlite'))
      ctx.log(
        `  ${report.files} files: peak RSS ${(report.maxRssBytes / MB).toFixed(0)} MB in ${(report.ms / 1000).toFixed(1)} s`
      )
      runs.push({ size: report.files, report })
    }
    ctx.log(`import-rss: importing all ${n} 8×8 JPEGs in a child, with GC checkpoints…`)
    const run = await runChild(
      'import',
      root,
      path.join(ctx.tmpDir, 'import', 'library.sqlite'),
      10
    )
    runs.push({ size: run.files, report: run })

    // Growth that matters for 1M is the tail's: caches and allocator arenas fill early and then
    // stay (so the smallest run would overstate a straight line). The slope used is the larger of
    // the peak-RSS slope between the two largest runs and the RSS slope over the second half of
    // the checkpoints (each taken after a full GC).
    const rssFit = fitLine(
      runs.map((r) => r.size),
      runs.map((r) => r.report.maxRssBytes)
    )
    const [prev, last] = runs.slice(-2)
    const tailSlope =
      prev && last && last.size > prev.size
        ? (last.report.maxRssBytes - prev.report.maxRssBytes) / (last.size - prev.size)
        : Number.NaN
    // (a checkpoint taken as the job ends, its threads and caches being let go, is left out)
    const all = (run.checkpoints ?? []).filter((c) => c.items < run.files)
    const cps = all.slice(Math.floor(all.length / 2))
    const heapFit = fitLine(
      cps.map((c) => c.items),
      cps.map((c) => c.heapUsedAfterGcBytes)
    )
    const cpRssFit = fitLine(
      cps.map((c) => c.items),
      cps.map((c) => c.rssBytes)
    )
    const perItem = Math.max(0, tailSlope, cpRssFit.slope)
    const extrapolated = run.maxRssBytes + perItem * Math.max(0, TARGET_N - run.files)
    ctx.log(
      `  peak RSS ${(run.maxRssBytes / MB).toFixed(0)} MB at ${run.files} files (baseline ${(base.maxRssBytes / MB).toFixed(0)} MB); ` +
        `peak RSS slope over sizes ${rssFit.slope.toFixed(1)} B/item (largest two ${tailSlope.toFixed(1)}), retained heap slope ${heapFit.slope.toFixed(1)} B/item, ` +
        `RSS slope over checkpoints ${cpRssFit.slope.toFixed(1)} B/item → ${(extrapolated / MB).toFixed(0)} MB at 1M`
    )
    const details = {
      files: run.files,
      failed: run.failed,
      jobStatus: run.status,
      importSeconds: round(run.ms / 1000, 1),
      filesPerSecond: round(run.files / (run.ms / 1000), 1),
      peakRssBySizeMB: runs.map((r) => ({
        files: r.size,
        peakRssMB: round(r.report.maxRssBytes / MB, 1),
        heapUsedPeakMB: round((r.report.heapUsedPeakBytes ?? 0) / MB, 1),
        seconds: round(r.report.ms / 1000, 1)
      })),
      peakRssSlopeBytesPerItem: round(rssFit.slope, 2),
      peakRssSlopeLargestTwoBytesPerItem: round(tailSlope, 2),
      checkpoints: (run.checkpoints ?? []).map((c) => ({
        items: c.items,
        heapAfterGcMB: round(c.heapUsedAfterGcBytes / MB, 2),
        externalAfterGcMB: round(c.externalAfterGcBytes / MB, 2),
        rssMB: round(c.rssBytes / MB, 1),
        peakRssSoFarMB: round(c.maxRssSoFarBytes / MB, 1)
      })),
      retainedHeapSlopeBytesPerItem: round(heapFit.slope, 3),
      checkpointRssSlopeBytesPerItem: round(cpRssFit.slope, 2),
      extrapolationNote:
        'peak RSS at the largest size + max(0, peak-RSS slope between the two largest sizes, RSS slope over the second half of the checkpoints) × (1,000,000 − files)' +
        (ctx.quick
          ? '; --quick sizes are still within the warm-up (caches and allocator arenas filling), so this extrapolation means something only in the full run'
          : ''),
      baselineRssMB: round(base.maxRssBytes / MB, 1),
      overBaselineMB: round((run.maxRssBytes - base.maxRssBytes) / MB, 1)
    }
    /** both figures' reference: a child that only loaded the modules and opened a library */
    const baseline = {
      name: 'peak RSS of a child that loaded the same modules and opened a library',
      value: round(base.maxRssBytes / MB, 1),
      unit: 'MB'
    }
    return [
      figure({
        id: 'import.peakRss',
        description: `peak RSS of a child process importing ${run.files} distinct 8×8 JPEG files (no sidecars)`,
        measured: {
          name: 'peak RSS (getrusage maxRSS)',
          value: round(run.maxRssBytes / MB, 1),
          unit: 'MB'
        },
        reference: baseline,
        target: { of: 'value', max: 400 },
        details
      }),
      figure({
        id: 'import.peakRss1M',
        description: `peak RSS of a 1,000,000-file import, extrapolated from imports of ${runs.map((r) => r.size).join(', ')} files`,
        measured: {
          name: 'extrapolated peak RSS at 1M files',
          value: round(extrapolated / MB, 1),
          unit: 'MB'
        },
        reference: baseline,
        target: { of: 'value', max: 400 },
        details: {
          peakRssSlopeBytesPerItem: details.peakRssSlopeBytesPerItem,
          peakRssSlopeLargestTwoBytesPerItem: details.peakRssSlopeLargestTwoBytesPerItem,
          slopeUsedBytesPerItem: round(perItem, 2),
          retainedHeapSlopeBytesPerItem: details.retainedHeapSlopeBytesPerItem,
          checkpointRssSlopeBytesPerItem: details.checkpointRssSlopeBytesPerItem,
          growthAt1MMB: round((perItem * Math.max(0, TARGET_N - run.files)) / MB, 1),
          extrapolationNote: details.extrapolationNote
        }
      })
    ]
  }
}
