/**
 * Issue 2: peak memory of a whole import of many small files (metadata work dominates), measured
 * in a child process, against a child that loaded the same modules and opened a library.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { figure, round, type Benchmark, type Figure } from './types'
import { BENCH_DIR, REPO_DIR } from './util'
import { jpegFixture } from './import-speed'

interface ChildReport {
  mode: string
  maxRssBytes: number
  sampledPeakBytes: number
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
    const n = ctx.quick ? 10_000 : 100_000
    const root = await jpegFixture(ctx, n, 8, { sidecars: false, perFolder: 1000 })
    ctx.log(`import-rss: importing ${n} 8×8 JPEGs in a child process…`)
    const base = await runChild(
      'baseline',
      root,
      path.join(ctx.tmpDir, 'baseline', 'library.sqlite')
    )
    const run = await runChild('import', root, path.join(ctx.tmpDir, 'import', 'library.sqlite'))
    ctx.log(
      `  peak RSS ${(run.maxRssBytes / MB).toFixed(0)} MB (baseline ${(base.maxRssBytes / MB).toFixed(0)} MB), ${run.files} files in ${(run.ms / 1000).toFixed(1)} s`
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
          overBaselineMB: round((run.maxRssBytes - base.maxRssBytes) / MB, 1)
        }
      })
    ]
  }
}
