/**
 * Issue 2: peak memory of a whole import of many small files (metadata work dominates), measured
 * in a child process, against a child that loaded the same modules and opened a library.
 * Issue 17: the same import of a quarter of the files too, so the growth per file shows whether
 * a million-file import fits (target ≤ 400 MB); GLOSSA_RSS_N sets the size (default 100,000).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { figure, round, type Benchmark, type Figure } from './types'
import { BENCH_DIR, REPO_DIR } from './util'
import { jpegFixture } from './import-speed'

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
}

function runChild(mode: 'import' | 'baseline', dir: string, lib: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(BENCH_DIR, 'rss-child.ts'), mode, dir, lib],
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

export const importRss: Benchmark = {
  name: 'import-rss',
  issue: 2,
  description:
    'peak RSS of an import of many tiny images vs a process that only loaded the modules',
  async run(ctx): Promise<Figure[]> {
    const env = Number(process.env.GLOSSA_RSS_N)
    const n = Number.isSafeInteger(env) && env >= 4000 ? env : ctx.quick ? 10_000 : 100_000
    const root = await jpegFixture(ctx, n, 8, { sidecars: false, perFolder: 1000 })
    const base = await runChild(
      'baseline',
      root,
      path.join(ctx.tmpDir, 'baseline', 'library.sqlite')
    )
    // the same import at a quarter of the files (a folder of links to the first quarter of the
    // fixture's sub-folders): the growth per file between the two shows whether memory grows
    // with the library (it must not: a million files would then not fit)
    const parts = fs.readdirSync(root).sort()
    const quarterDir = path.join(ctx.tmpDir, 'quarter')
    fs.mkdirSync(quarterDir)
    for (const p of parts.slice(0, Math.max(1, Math.round(parts.length / 4))))
      fs.symlinkSync(path.join(root, p), path.join(quarterDir, p))
    ctx.log(`import-rss: importing a quarter of ${n} 8×8 JPEGs in a child process…`)
    const quarter = await runChild(
      'import',
      quarterDir,
      path.join(ctx.tmpDir, 'quarter-lib', 'library.sqlite')
    )
    ctx.log(`import-rss: importing ${n} 8×8 JPEGs in a child process…`)
    const run = await runChild('import', root, path.join(ctx.tmpDir, 'import', 'library.sqlite'))
    const perFileBytes =
      run.files > quarter.files
        ? (run.maxRssBytes - quarter.maxRssBytes) / (run.files - quarter.files)
        : Number.NaN
    ctx.log(
      `  peak RSS ${(run.maxRssBytes / MB).toFixed(0)} MB (baseline ${(base.maxRssBytes / MB).toFixed(0)} MB, ${quarter.files} files ${(quarter.maxRssBytes / MB).toFixed(0)} MB: ${perFileBytes.toFixed(0)} bytes per extra file), ${run.files} files in ${(run.ms / 1000).toFixed(1)} s`
    )
    return [
      figure({
        id: 'import.peakRss',
        description: `peak RSS of a child process importing ${n} distinct 8×8 JPEG files (no sidecars)`,
        measured: {
          name: 'peak RSS (getrusage maxRSS)',
          value: round(run.maxRssBytes / MB, 1),
          unit: 'MB'
        },
        reference: {
          name: 'peak RSS of a child that loaded the same modules and opened a library',
          value: round(base.maxRssBytes / MB, 1),
          unit: 'MB'
        },
        target: { of: 'value', max: 400 },
        details: {
          files: run.files,
          failed: run.failed,
          jobStatus: run.status,
          importSeconds: round(run.ms / 1000, 1),
          filesPerSecond: round(run.files / (run.ms / 1000), 1),
          sampledPeakMB: round(run.sampledPeakBytes / MB, 1),
          overBaselineMB: round((run.maxRssBytes - base.maxRssBytes) / MB, 1),
          heapUsedPeakMB: round((run.heapUsedPeakBytes ?? 0) / MB, 1),
          externalPeakMB: round((run.externalPeakBytes ?? 0) / MB, 1),
          quarterHeapUsedPeakMB: round((quarter.heapUsedPeakBytes ?? 0) / MB, 1),
          quarterFiles: quarter.files,
          quarterPeakRssMB: round(quarter.maxRssBytes / MB, 1),
          growthBytesPerFile: round(perFileBytes, 1),
          extrapolatedPeakRssMBAt1M: round(
            (run.maxRssBytes + Math.max(0, perFileBytes) * (1_000_000 - run.files)) / MB,
            1
          )
        }
      })
    ]
  }
}
