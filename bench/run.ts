/**
 * `npm run bench [-- --quick] [--only name,name]`: runs the benchmarks in registry.ts, writes
 * bench/results/<timestamp>.json and prints it. Figures are ratios to references measured in the
 * same run; targets are reported (`target`, `met`), never turned into a failing exit status.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { benchmarks } from './registry'
import type { BenchContext, Figure } from './types'
import { BENCH_DIR } from './util'

interface BenchOutcome {
  name: string
  issue: number
  description: string
  seconds: number
  figures: Figure[]
  error?: string
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      list: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.list) {
    for (const b of benchmarks) log(`${b.name.padEnd(16)} (issue ${b.issue}) ${b.description}`)
    return
  }
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = only?.filter((o) => !benchmarks.some((b) => b.name === o)) ?? []
  if (unknown.length) {
    log(
      `bench: unknown benchmark(s): ${unknown.join(', ')} (have: ${benchmarks.map((b) => b.name).join(', ')})`
    )
    process.exitCode = 2
    return
  }
  const selected = only ? benchmarks.filter((b) => only.includes(b.name)) : benchmarks
  const cacheDir = path.join(BENCH_DIR, '.cache')
  const startedAt = new Date()
  const outcomes: BenchOutcome[] = []
  for (const b of selected) {
    log(`\n== ${b.name}: ${b.description}${values.quick ? ' (quick)' : ''}`)
    const tmpDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), `glossa-bench-${b.name}-`))
    const ctx: BenchContext = { quick: values.quick, cacheDir, tmpDir, log }
    const t0 = performance.now()
    try {
      const figures = await b.run(ctx)
      outcomes.push({
        name: b.name,
        issue: b.issue,
        description: b.description,
        seconds: (performance.now() - t0) / 1000,
        figures
      })
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
      log(`bench ${b.name} failed: ${message}`)
      outcomes.push({
        name: b.name,
        issue: b.issue,
        description: b.description,
        seconds: (performance.now() - t0) / 1000,
        figures: [],
        error: message
      })
    } finally {
      await fs.promises.rm(tmpDir, { recursive: true, force: true })
    }
  }
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: values.quick,
    machine: {
      platform: `${process.platform} ${os.release()}`,
      arch: process.arch,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version
    },
    benchmarks: outcomes
  }
  const resultsDir = path.join(BENCH_DIR, 'results')
  fs.mkdirSync(resultsDir, { recursive: true })
  const file = path.join(
    resultsDir,
    `${startedAt.toISOString().replace(/[:.]/g, '-')}${values.quick ? '-quick' : ''}.json`
  )
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  log('\nsummary:')
  for (const o of outcomes) {
    if (o.error) log(`  ${o.name}: FAILED TO RUN (${o.error.split('\n')[0]})`)
    for (const f of o.figures) {
      const t = f.target
        ? ` target ${f.target.of} ≤ ${f.target.max}: ${f.met ? 'met' : 'NOT met'}`
        : ''
      log(
        `  ${f.id.padEnd(20)} ${f.measured.value} ${f.measured.unit} vs reference ${f.reference.value} ${f.reference.unit} → ratio ${f.ratio}${t}`
      )
    }
  }
  log(`\nwritten to ${path.relative(process.cwd(), file)}`)
}

main().catch((err: unknown) => {
  log(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exitCode = 1
})
