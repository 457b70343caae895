/**
 * Child process of the import-rss benchmark:
 * `node --expose-gc --import tsx bench/rss-child.ts <mode> <dir> <library> [checkpoints]`.
 * mode `import`: imports <dir> into a fresh library; mode `baseline`: loads the same modules and
 * opens the same kind of library, then does nothing. Prints one JSON line with the peak RSS.
 * With `checkpoints` = k > 0 (import mode), the import is sampled k times as it goes (every
 * total/k items done): a full GC (needs --expose-gc), then the retained JS heap, the external
 * (native buffers V8 tracks), the RSS now and the peak RSS so far — what grows per item shows as
 * a slope across the checkpoints.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { createCore } from '../src-main/core'

export interface Checkpoint {
  /** items done (or failed) when the sample was taken */
  items: number
  heapUsedAfterGcBytes: number
  externalAfterGcBytes: number
  rssBytes: number
  maxRssSoFarBytes: number
}

async function main(): Promise<void> {
  const [mode, dir, lib, cps] = process.argv.slice(2)
  const checkpointCount = Number(cps ?? 0)
  const gc = (globalThis as { gc?: () => void }).gc
  if (!mode || !dir || !lib) throw new Error('usage: rss-child <import|baseline> <dir> <library>')
  let sampled = process.memoryUsage.rss()
  // where the memory is: the JS heap and V8-tracked native buffers (the rest is native: SQLite,
  // libvips, allocator)
  let heapPeak = 0
  let externalPeak = 0
  const timer = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss())
  }, 20)
  const heapTimer = setInterval(() => {
    const m = process.memoryUsage()
    heapPeak = Math.max(heapPeak, m.heapUsed)
    externalPeak = Math.max(externalPeak, m.external)
  }, 500)
  fs.mkdirSync(path.dirname(lib), { recursive: true })
  const core = createCore({ dataDir: path.dirname(lib), libraryFile: lib })
  const t0 = performance.now()
  let files = 0
  let failed = 0
  let status = 'none'
  const checkpoints: Checkpoint[] = []
  try {
    if (mode === 'import') {
      if (checkpointCount > 0) {
        if (!gc) throw new Error('rss-child: checkpoints need node --expose-gc')
        let next = 0
        let step = 0
        core.on('job.progress', (p) => {
          if (p.phase !== 'import' || p.total <= 0) return
          if (!step) {
            step = Math.max(1, Math.floor(p.total / checkpointCount))
            next = step
          }
          const items = p.done + p.failed
          if (items < next) return
          next = (Math.floor(items / step) + 1) * step
          gc()
          const m = process.memoryUsage()
          checkpoints.push({
            items,
            heapUsedAfterGcBytes: m.heapUsed,
            externalAfterGcBytes: m.external,
            rssBytes: m.rss,
            maxRssSoFarBytes: process.resourceUsage().maxRSS * 1024
          })
        })
      }
      const started = await core.call('import.start', { dir, datasetName: 'rss' })
      const job = await core.waitForJob(started.jobId)
      files = job.total
      failed = job.failed
      status = job.status
    } else {
      // the same native modules, initialised: libvips has encoded an image, SQLite has run a query
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer()
      await core.call('datasets.list', {})
    }
  } finally {
    await core.close()
    clearInterval(timer)
    clearInterval(heapTimer)
  }
  sampled = Math.max(sampled, process.memoryUsage.rss())
  process.stdout.write(
    JSON.stringify({
      mode,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      sampledPeakBytes: sampled,
      heapUsedPeakBytes: heapPeak,
      externalPeakBytes: externalPeak,
      files,
      failed,
      status,
      ms: performance.now() - t0,
      checkpoints
    }) + '\n'
  )
}

main().catch((err: unknown) => {
  process.stderr.write(
    `rss-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
  )
  process.exit(1)
})
