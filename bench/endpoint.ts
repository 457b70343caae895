/**
 * Endpoint captioning throughput (issue 16). A loopback OpenAI-compatible server (its own process)
 * answers every request after a fixed delay d; the EndpointCaptioner runs with concurrency N over
 * M real images (1280×960 JPEGs, resized to 1024 and re-encoded on the way, as in real use;
 * image preparation is bounded to leave a core to the event loop, see captioner.ts).
 *  - endpoint.wall: job wall time vs the ideal M·d/N (N requests always in flight); target ratio
 *    ≤ 1/0.9, i.e. throughput ≥ 0.9 × N/d.
 *  - endpoint.loop: the main side's event-loop delay p99 while the job runs
 *    (perf_hooks.monitorEventLoopDelay) vs the same measure with the loop idle; target ≤ 20 ms.
 *  - endpoint.job / endpoint.jobLoop: the same through the product: a caption job (caption.start →
 *    done) over M image files of a library, with the endpoint registered as a model (job items,
 *    skip checks, prompts, one journal batch, caption and prompt records written as results
 *    arrive), vs the same ideal M·d/N; and the event-loop p99 of the core's process meanwhile.
 * Runs standalone too: `npx tsx bench/endpoint.ts [--quick]` prints the figures as JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import sharp from 'sharp'
import { createCore } from '../src-main/core'
import {
  EndpointCaptioner,
  forEachBounded,
  parseEndpointDefinition
} from '../src-main/core/captioning/endpoint'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { BENCH_DIR, idleLoopP99, importForBench } from './util'

const DELAY_MS = 250
const CONCURRENCY = 8

async function photo(i: number): Promise<Buffer> {
  const w = 1280
  const h = 960
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3
      raw[o] = (x * 255) / w + i * 37
      raw[o + 1] = (y * 255) / h + i * 11
      raw[o + 2] = ((x + y) * 7 + i * 53) & 255
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer()
}

function startServer(delayMs: number): Promise<{
  child: ChildProcess
  origin: string
  stats(): Promise<{ peakInFlight: number; requests: number }>
}> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(BENCH_DIR, 'endpoint-server-child.ts'), String(delayMs)],
    { stdio: ['pipe', 'pipe', 'inherit'] }
  )
  const lines = createInterface({ input: child.stdout! })
  const queue: ((line: string) => void)[] = []
  lines.on('line', (l) => queue.shift()?.(l))
  const next = (): Promise<string> => new Promise((r) => queue.push(r))
  return next().then((first) => ({
    child,
    origin: (JSON.parse(first) as { origin: string }).origin,
    stats: async () => {
      const p = next()
      child.stdin!.write('stats\n')
      return JSON.parse(await p) as { peakInFlight: number; requests: number }
    }
  }))
}

/** The same work through a caption job of the core, against the same server. */
async function jobFigures(
  ctx: Pick<BenchContext, 'quick' | 'log'>,
  tmpDir: string,
  origin: string,
  sources: Buffer[],
  m: number
): Promise<Figure[]> {
  const dir = path.join(tmpDir, 'photos')
  await fs.promises.mkdir(dir, { recursive: true })
  for (let i = 0; i < m; i++)
    await fs.promises.writeFile(
      path.join(dir, `photo-${String(i).padStart(4, '0')}.jpg`),
      sources[i % sources.length]!
    )
  const core = createCore({ dataDir: path.join(tmpDir, 'data') })
  try {
    const datasetId = await importForBench(core, dir, 'endpoint-bench')
    await core.call('models.endpointSave', {
      endpoint: {
        name: 'bench',
        url: origin,
        model: 'glossa-test-vlm',
        concurrency: CONCURRENCY,
        maxSide: 1024
      }
    })
    const idleP99 = await idleLoopP99(1000)
    ctx.log(`endpoint: caption job over ${m} images, N=${CONCURRENCY}, d=${DELAY_MS} ms`)
    const h = monitorEventLoopDelay({ resolution: 10 })
    const elu0 = performance.eventLoopUtilization()
    h.enable()
    const t0 = performance.now()
    const { jobId } = await core.call('caption.start', {
      target: { datasetId },
      modelId: 'bench',
      preset: 'hunyuan-zh'
    })
    const job = await core.waitForJob(jobId)
    const wallMs = performance.now() - t0
    h.disable()
    const elu = performance.eventLoopUtilization(elu0).utilization
    if (job.status !== 'done' || job.done !== m)
      throw new Error(`the bench job ended ${job.status} (${job.done}/${m}): ${job.error ?? ''}`)
    const idealMs = (m * DELAY_MS) / CONCURRENCY
    const throughput = m / (wallMs / 1000)
    return [
      figure({
        id: 'endpoint.job',
        description: `caption job over ${m} library images through the endpoint (N=${CONCURRENCY}, d=${DELAY_MS} ms) vs the ideal M·d/N`,
        measured: { name: 'job wall time', value: round(wallMs, 1), unit: 'ms' },
        reference: { name: 'ideal wall time M·d/N', value: idealMs, unit: 'ms' },
        target: { of: 'ratio', max: round(1 / 0.9, 3) },
        details: {
          images: m,
          throughputPerS: round(throughput, 2),
          idealPerS: round(CONCURRENCY / (DELAY_MS / 1000), 2),
          throughputRatio: round(throughput / (CONCURRENCY / (DELAY_MS / 1000)), 3)
        }
      }),
      figure({
        id: 'endpoint.jobLoop',
        description: 'event-loop delay p99 of the core process while the endpoint caption job runs',
        measured: {
          name: 'event-loop p99 during the job',
          value: round(h.percentile(99) / 1e6, 2),
          unit: 'ms'
        },
        reference: { name: 'event-loop p99, loop idle', value: round(idleP99, 2), unit: 'ms' },
        target: { of: 'value', max: 20 },
        details: {
          maxMs: round(h.max / 1e6, 2),
          eventLoopUtilization: round(elu, 3),
          loadAverage1m: round(os.loadavg()[0]!, 2),
          cpus: os.availableParallelism()
        }
      })
    ]
  } finally {
    await core.close()
  }
}

async function run(
  ctx: Pick<BenchContext, 'quick' | 'log'> & { tmpDir?: string }
): Promise<Figure[]> {
  const m = ctx.quick ? 48 : 160
  const distinct = 16
  ctx.log(`endpoint: generating ${distinct} source photos (1280×960 JPEG)`)
  const sources = await Promise.all(Array.from({ length: distinct }, (_, i) => photo(i)))
  const server = await startServer(DELAY_MS)
  try {
    const def = parseEndpointDefinition({
      name: 'bench',
      url: server.origin,
      model: 'glossa-test-vlm',
      concurrency: CONCURRENCY,
      maxSide: 1024
    })
    const c = new EndpointCaptioner(def, { apiKey: null })
    // warm-up: connections and sharp
    await Promise.all(
      sources.slice(0, CONCURRENCY).map((image) => c.caption({ image, prompt: '描述这张图片' }))
    )
    const idleP99 = await idleLoopP99(1000)
    ctx.log(`endpoint: ${m} images, N=${CONCURRENCY}, d=${DELAY_MS} ms`)
    const h = monitorEventLoopDelay({ resolution: 10 })
    h.enable()
    const elu0 = performance.eventLoopUtilization()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    let ok = 0
    await forEachBounded(
      Array.from({ length: m }, (_, i) => i),
      CONCURRENCY + 4,
      undefined,
      async (i) => {
        const o = await c.caption({ image: sources[i % distinct]!, prompt: '描述这张图片' })
        if (o.ok) ok++
      }
    )
    const wallMs = performance.now() - t0
    h.disable()
    // how busy the loop itself was: a high p99 with a low utilisation means the thread was
    // waiting for a CPU (a loaded machine), not running Glossa's code
    const elu = performance.eventLoopUtilization(elu0).utilization
    const cpu = process.cpuUsage(cpu0)
    const stats = await server.stats()
    const idealMs = (m * DELAY_MS) / CONCURRENCY
    const throughput = m / (wallMs / 1000)
    const tmpDir =
      ctx.tmpDir ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'glossa-bench-endpoint-')))
    const job = await jobFigures(ctx, tmpDir, server.origin, sources, m).finally(async () => {
      if (!ctx.tmpDir) await fs.promises.rm(tmpDir, { recursive: true, force: true })
    })
    return [
      figure({
        id: 'endpoint.wall',
        description: `caption ${m} images through an endpoint (N=${CONCURRENCY}, d=${DELAY_MS} ms) vs the ideal M·d/N`,
        measured: { name: 'job wall time', value: round(wallMs, 1), unit: 'ms' },
        reference: { name: 'ideal wall time M·d/N', value: idealMs, unit: 'ms' },
        target: { of: 'ratio', max: round(1 / 0.9, 3) },
        details: {
          images: m,
          captioned: ok,
          throughputPerS: round(throughput, 2),
          idealPerS: round(CONCURRENCY / (DELAY_MS / 1000), 2),
          throughputRatio: round(throughput / (CONCURRENCY / (DELAY_MS / 1000)), 3),
          serverPeakInFlight: stats.peakInFlight
        }
      }),
      figure({
        id: 'endpoint.loop',
        description: 'main-side event-loop delay p99 while the endpoint job runs',
        measured: {
          name: 'event-loop p99 during the job',
          value: round(h.percentile(99) / 1e6, 2),
          unit: 'ms'
        },
        reference: { name: 'event-loop p99, loop idle', value: round(idleP99, 2), unit: 'ms' },
        target: { of: 'value', max: 20 },
        details: {
          maxMs: round(h.max / 1e6, 2),
          meanMs: round(h.mean / 1e6, 2),
          eventLoopUtilization: round(elu, 3),
          processCpuPerImageMs: round((cpu.user + cpu.system) / 1000 / m, 2),
          loadAverage1m: round(os.loadavg()[0]!, 2),
          cpus: os.availableParallelism()
        }
      }),
      ...job
    ]
  } finally {
    server.child.stdin!.end()
    server.child.kill()
  }
}

export const endpointThroughput: Benchmark = {
  name: 'endpoint',
  issue: 16,
  description: 'OpenAI-compatible endpoint captioning: throughput vs N/d, event-loop p99',
  run
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({ quick: process.argv.includes('--quick'), log: (s) => process.stderr.write(`${s}\n`) })
    .then((figs) => process.stdout.write(`${JSON.stringify(figs, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`)
      process.exitCode = 1
    })
}
