/**
 * Child process of the import-rss benchmark: `node --import tsx bench/rss-child.ts <mode> <dir> <library>`.
 * mode `import`: imports <dir> into a fresh library; mode `baseline`: loads the same modules and
 * opens the same kind of library, then does nothing. Prints one JSON line with the peak RSS.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { createCore } from '../src-main/core'

async function main(): Promise<void> {
  const [mode, dir, lib] = process.argv.slice(2)
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
  try {
    if (mode === 'import') {
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
      ms: performance.now() - t0
    }) + '\n'
  )
}

main().catch((err: unknown) => {
  process.stderr.write(
    `rss-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
  )
  process.exit(1)
})
