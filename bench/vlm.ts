/**
 * Issue 13: a chat-VLM caption job.
 *
 * - vlm.throughput: a caption job (caption.start → done) over N generated 800×600 JPEGs with the
 *   tiny Qwen2-VL fixture (test/fixtures/models/make-qwen2vl.ts) and Hunyuan's Chinese prompt, as
 *   milliseconds per image. The reference, in the same run, is a bare transformers.js loop doing
 *   the same work with nothing else: decode the file as the worker does (inference/decode.ts),
 *   apply the chat template, run the processor, `model.generate` greedily, decode the new tokens,
 *   image after image, on this thread. Target: job images/s at least 0.9 × the bare loop's (time
 *   ratio ≤ 1/0.9). The job does everything the product does besides: job items, skip checks,
 *   the prompt per image (knowledge lookup), one journal batch, caption and prompt records.
 * - vlm.eventLoop: p99 event-loop delay of the process running the core while the job runs
 *   (perf_hooks.monitorEventLoopDelay); everything for an image happens in the inference worker.
 *   Reference: the same measure with the loop idle. Target: p99 ≤ 20 ms.
 * `--quick` uses 60 images instead of 300.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as HF from '@huggingface/transformers'
import sharp from 'sharp'
import { createCore } from '../src-main/core'
import { decodeForGenerative } from '../src-main/core/captioning/inference/decode'
import { HUNYUAN_ZH } from '../src-main/core/captioning/presets'
import { makeQwen2VL } from '../test/fixtures/models/make-qwen2vl'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { cached, elapsedMs, idleLoopP99, importForBench, sourceHash } from './util'

const WIDTH = 800
const HEIGHT = 600

async function jpegs(ctx: BenchContext, n: number): Promise<string> {
  const hash = sourceHash(['bench/vlm.ts'])
  return cached(
    ctx.cacheDir,
    `vlm-jpegs-${n}-${WIDTH}x${HEIGHT}-${hash}`,
    async (dir) => {
      await fs.promises.mkdir(dir, { recursive: true })
      for (let i = 0; i < n; i++) {
        // a gradient over a dominant colour, so files differ and decode is real work
        const raw = Buffer.alloc(WIDTH * HEIGHT * 3)
        const c = i % 3
        for (let y = 0; y < HEIGHT; y++)
          for (let x = 0; x < WIDTH; x++) {
            const o = (y * WIDTH + x) * 3
            raw[o] = c === 0 ? 200 : (x + i) & 63
            raw[o + 1] = c === 1 ? 200 : (y + i) & 63
            raw[o + 2] = c === 2 ? 200 : (x + y) & 63
          }
        await sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
          .jpeg({ quality: 88 })
          .toFile(path.join(dir, `img-${String(i).padStart(4, '0')}.jpg`))
      }
    },
    ctx.log
  )
}

interface ChatProcessor {
  (...args: unknown[]): Promise<Record<string, HF.Tensor>>
  apply_chat_template(messages: unknown, opts: Record<string, unknown>): string
  batch_decode(ids: HF.Tensor, opts: Record<string, unknown>): string[]
}

/** The physical reference: decode, template, processor, generate, decode tokens; in sequence. */
async function bareLoop(
  files: string[],
  modelDir: string
): Promise<{ ms: number; texts: string[] }> {
  HF.env.allowRemoteModels = false
  HF.env.allowLocalModels = true
  HF.env.localModelPath = path.dirname(modelDir) + path.sep
  const id = path.basename(modelDir)
  const processor = (await HF.AutoProcessor.from_pretrained(id)) as unknown as ChatProcessor
  // the session options Glossa's worker uses (no thread-pool spinning between generate steps, a
  // core left to the rest of the process), so the two sides differ only by what the job adds
  const model = await HF.AutoModelForImageTextToText.from_pretrained(id, {
    dtype: 'fp32',
    device: 'cpu',
    session_options: {
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      intraOpNumThreads: Math.max(1, os.availableParallelism() - 1)
    }
  } as never)
  const messages = [
    { role: 'user', content: [{ type: 'image' }, { type: 'text', text: HUNYUAN_ZH }] }
  ]
  const one = async (file: string): Promise<string> => {
    const img = await decodeForGenerative(file)
    const image = new HF.RawImage(
      new Uint8ClampedArray(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength),
      img.width,
      img.height,
      3
    )
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true })
    const inputs = await processor(text, image)
    const ids = (await model.generate({
      ...inputs,
      max_new_tokens: 256,
      do_sample: false,
      num_beams: 1
    })) as HF.Tensor
    const n = inputs.input_ids!.dims.at(-1)!
    return processor.batch_decode(ids.slice(null, [n, ids.dims.at(-1)!]), {
      skip_special_tokens: true
    })[0]!
  }
  try {
    await one(files[0]!) // warm
    const t0 = performance.now()
    const texts: string[] = []
    for (const f of files) texts.push(await one(f))
    return { ms: elapsedMs(t0), texts }
  } finally {
    await model.dispose()
  }
}

export const vlmJob: Benchmark = {
  name: 'vlm',
  issue: 13,
  description:
    'chat-VLM caption job throughput vs a bare transformers.js generate loop; event-loop delay while it runs',
  async run(ctx) {
    const n = ctx.quick ? 60 : 300
    const dir = await jpegs(ctx, n)
    const files = (await fs.promises.readdir(dir))
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => path.join(dir, f))
    const modelDir = await makeQwen2VL(path.join(ctx.tmpDir, 'models', 'qwen2-vl-tiny'))
    const core = createCore({ dataDir: path.join(ctx.tmpDir, 'data') })
    try {
      ctx.log(`importing ${n} images (setup, not measured)…`)
      const datasetId = await importForBench(core, dir, 'vlm-bench')
      const model = await core.call('models.add', { dir: modelDir })
      // warm the model in the worker and the files in the page cache, for both sides alike
      const first = (await core.call('images.page', { filter: { datasetId: datasetId }, limit: 1 }))
        .rows[0]!
      await core.call('caption.preview', {
        imageId: first.id,
        modelId: model.id,
        preset: 'hunyuan-zh'
      })
      for (const f of files) await fs.promises.readFile(f)

      ctx.log('bare loop: decode + template + processor + generate…')
      const bare = await bareLoop(files, modelDir)
      const expected = new Set(['一张红色的图片', '一张绿色的图片', '一张蓝色的图片'])
      if (!bare.texts.every((t) => expected.has(t)))
        throw new Error(
          `the bare loop captioned unexpectedly: ${bare.texts.slice(0, 3).join(' | ')}`
        )

      const idleP99 = await idleLoopP99(1000)

      ctx.log('caption job…')
      const loop = monitorEventLoopDelay({ resolution: 10 })
      const elu0 = performance.eventLoopUtilization()
      const t0 = performance.now()
      loop.enable()
      const { jobId } = await core.call('caption.start', {
        target: { datasetId: datasetId },
        modelId: model.id,
        preset: 'hunyuan-zh'
      })
      const job = await core.waitForJob(jobId)
      loop.disable()
      const jobMs = elapsedMs(t0)
      const elu = performance.eventLoopUtilization(elu0).utilization
      const info = await core.call('jobs.get', { id: jobId })
      if (job.status !== 'done' || (info.items?.done ?? 0) !== n)
        throw new Error(
          `caption job ended ${job.status}: ${JSON.stringify(info.items)} (${job.error ?? ''})`
        )
      const jobRate = n / (jobMs / 1000)
      const bareRate = n / (bare.ms / 1000)
      const p99 = loop.percentile(99) / 1e6
      const figures: Figure[] = [
        figure({
          id: 'vlm.throughput',
          description: `chat-VLM caption job over ${n} ${WIDTH}×${HEIGHT} JPEGs (tiny Qwen2-VL fixture, hunyuan-zh), time per image vs a bare transformers.js generate loop; ratio ≤ 1.111 means ≥ 0.9× the bare images/s`,
          measured: { name: 'caption job, per image', value: round(jobMs / n, 3), unit: 'ms' },
          reference: { name: 'bare loop, per image', value: round(bare.ms / n, 3), unit: 'ms' },
          target: { of: 'ratio', max: round(1 / 0.9, 3) },
          details: {
            images: n,
            jobImagesPerSecond: round(jobRate, 1),
            bareImagesPerSecond: round(bareRate, 1),
            throughputRatio: round(jobRate / bareRate, 3),
            jobSeconds: round(jobMs / 1000, 2),
            bareSeconds: round(bare.ms / 1000, 2)
          }
        }),
        figure({
          id: 'vlm.eventLoop',
          description:
            'p99 event-loop delay of the core process while the chat-VLM job runs, vs the idle loop',
          measured: { name: 'p99 delay during the job', value: round(p99, 2), unit: 'ms' },
          reference: {
            name: 'p99 delay idle',
            value: round(idleP99, 2),
            unit: 'ms'
          },
          target: { of: 'value', max: 20 },
          details: {
            resolutionMs: 10,
            eventLoopUtilization: round(elu, 3),
            loadPerCore: round(os.loadavg()[0]! / os.cpus().length, 2),
            max: round(loop.max / 1e6, 2),
            mean: round(loop.mean / 1e6, 2),
            p50: round(loop.percentile(50) / 1e6, 2)
          }
        })
      ]
      return figures
    } finally {
      await core.close()
    }
  }
}
