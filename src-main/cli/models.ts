/**
 * `glossa models add <dir> | ls | rm <id> | download <repo-id> [--mirror URL] [--dry-run]
 *  | endpoint add NAME --url URL --model MODEL [--key-env VAR] [--concurrency N] [--max-side PX]
 *  | endpoint test NAME`: the model registry on the command line. A download shows a byte
 * progress bar (bytes/s, ETA), Ctrl-C cancels it (run the same command again to resume over HTTP
 * Range), and the finished folder is registered; --dry-run lists the files and sizes and fetches
 * nothing. An endpoint (an OpenAI-compatible server) is a model like any other: `glossa caption
 * --model NAME` captions with it. Its API key is never stored: --key-env names the environment
 * variable that holds it.
 */
import path from 'node:path'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import type { Core } from '../core'
import type { EndpointTestResult, JobInfo, JobProgress, ModelInfo } from '../shared/api'
import { GlossaError } from '../shared/errors'
import { formatBytes, formatDuration, table } from './format'
import { parsePositiveInt } from './options'
import {
  action,
  EXIT,
  globalOptions,
  withCore,
  withReadCore,
  type CliState,
  type Output
} from './runtime'

/** One line per model for `models ls` and the summary of `models add`. */
export function describeModel(m: ModelInfo): string {
  const e = m.endpoint
  if (e) {
    const key = e.keyEnv
      ? `key from $${e.keyEnv}${e.keyAvailable ? '' : ' (not set)'}`
      : e.keyStored
        ? 'key in the keychain'
        : 'no key'
    return `endpoint, model ${e.model}, ${e.concurrency} in flight, max side ${e.maxSide}px, ${key}`
  }
  const bits: string[] = [m.kind]
  if (m.inputSize) bits.push(`${m.inputSize}px`)
  if (m.numTags) bits.push(`${m.numTags} tags`)
  if (m.batch !== null) bits.push(`batch ${m.batch}`)
  if (m.modelType) bits.push(m.modelType)
  return bits.join(', ')
}

function modelJson(m: ModelInfo): Record<string, unknown> {
  return {
    id: m.id,
    kind: m.kind,
    name: m.name,
    dir: m.dir,
    repoId: m.repoId,
    files: m.files,
    inputSize: m.inputSize,
    numTags: m.numTags,
    batch: m.batch,
    modelType: m.modelType,
    defaultPreset: m.defaultPreset,
    warnings: m.warnings,
    endpoint: m.endpoint
  }
}

function testLines(r: EndpointTestResult): string {
  if (!r.ok) return `✗ ${r.message}`
  return `✓ ${r.message}`
}

/** A progress bar in bytes for downloads (plain lines every ~10% when stderr is not a TTY). */
class ByteProgress {
  private bar: cliProgress.SingleBar | null = null
  private lastDecile = -1
  private lastPhase = ''
  constructor(private stream: NodeJS.WriteStream) {}

  update(p: JobProgress): void {
    const payload = {
      phase: (p.phase || 'working').padEnd(8),
      doneText: formatBytes(p.done),
      totalText: formatBytes(p.total),
      speed: `${formatBytes(Math.round(p.rate))}/s`,
      remaining: formatDuration(p.etaSeconds)
    }
    if (!this.stream.isTTY) {
      const decile = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 0
      if (decile > this.lastDecile || p.phase !== this.lastPhase) {
        this.stream.write(
          `${payload.phase.trim()}: ${payload.doneText}/${payload.totalText} (${payload.speed}, ETA ${payload.remaining})\n`
        )
        this.lastDecile = decile
        this.lastPhase = p.phase
      }
      return
    }
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: '{phase} |{bar}| {doneText}/{totalText} | {speed} | ETA {remaining}',
          barsize: 30,
          hideCursor: true,
          clearOnComplete: false
        },
        cliProgress.Presets.shades_classic
      )
      this.bar.start(Math.max(p.total, 1), p.done, payload)
    }
    this.bar.setTotal(Math.max(p.total, p.done, 1))
    this.bar.update(p.done, payload)
  }

  stop(): void {
    this.bar?.stop()
    this.bar = null
  }
}

/**
 * Ctrl-C (or SIGTERM) cancels the job, keeping what is finished; a second one exits at once.
 * Returns the function that removes the handlers.
 */
export function cancelOnInterrupt(out: Output, what: string, cancel: () => void): () => void {
  let count = 0
  const handler = (signal: NodeJS.Signals): void => {
    count++
    if (count > 1) {
      out.note('\nglossa: interrupted again, exiting now')
      process.exit(signal === 'SIGINT' ? EXIT.interrupted : 143)
    }
    out.note(`\nglossa: cancelling the ${what}; finished work is kept…`)
    cancel()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

/** Follows a job to its end with a progress view and Ctrl-C cancellation. */
export async function followJob(
  core: Core,
  out: Output,
  jobId: number,
  what: string,
  view: { update(p: JobProgress): void; stop(): void }
): Promise<{ job: JobInfo; interrupted: boolean }> {
  const off = core.on('job.progress', (p: JobProgress) => {
    if (p.jobId === jobId) view.update(p)
  })
  let interrupted = false
  const offSignals = cancelOnInterrupt(out, what, () => {
    interrupted = true
    core.call('jobs.cancel', { id: jobId }).catch(() => undefined)
  })
  try {
    const job = await core.waitForJob(jobId)
    return { job, interrupted }
  } finally {
    off()
    offSignals()
    view.stop()
  }
}

interface DownloadOptions {
  mirror?: string
  include?: string[]
  revision?: string
  dryRun?: boolean
}

interface EndpointOptions {
  url: string
  model: string
  keyEnv?: string
  concurrency?: number
  maxSide?: number
  stream?: boolean
  timeout?: number
  replace?: boolean
  test?: boolean
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v]

export function registerModels(program: Command, state: CliState): void {
  const models = program
    .command('models')
    .description('the captioning model registry: add a local folder, list, remove, download')

  models
    .command('add')
    .description('register a local model folder (a WD tagger or a transformers.js ONNX model)')
    .argument('<dir>', 'the model folder')
    .option('--name <name>', 'display name (default: the folder name)')
    .action(
      action(state, async (dir: string, opts: { name?: string }, cmd: Command) => {
        const out = state.output
        const abs = path.resolve(dir)
        return withCore(
          globalOptions(cmd),
          async (core) => {
            const m = await core.call('models.add', {
              dir: abs,
              ...(opts.name ? { name: opts.name } : {})
            })
            out.print(`Added model "${m.id}" (${describeModel(m)}) from ${m.dir}`)
            for (const w of m.warnings) out.note(`warning: ${w}`)
            await out.result({ ok: true, library: core.libraryFile, model: modelJson(m) })
          },
          { create: true }
        )
      })
    )

  models
    .command('ls')
    .alias('list')
    .description('list the registered models')
    .action(
      action(state, async (_opts: unknown, cmd: Command) => {
        const out = state.output
        return withReadCore(globalOptions(cmd), async (core) => {
          const list = await core.call('models.list', {})
          if (!list.length) out.print('No models yet. Add one with "glossa models add <dir>".')
          else
            out.print(
              table(
                ['ID', 'KIND', 'DETAILS', 'FOLDER / URL'],
                list.map((m) => [m.id, m.kind, describeModel(m), m.dir])
              )
            )
          await out.result({ ok: true, library: core.libraryFile, models: list.map(modelJson) })
        })
      })
    )

  models
    .command('rm')
    .alias('remove')
    .description('forget a model (its files stay where they are)')
    .argument('<id>', 'the model id (see "glossa models ls")')
    .action(
      action(state, async (id: string, _opts: unknown, cmd: Command) => {
        const out = state.output
        return withCore(globalOptions(cmd), async (core) => {
          const r = await core.call('models.remove', { id })
          out.print(r.removed ? `Removed model "${id}"` : `No model "${id}"`)
          await out.result({ ok: r.removed, library: core.libraryFile, id, removed: r.removed })
          return r.removed ? EXIT.ok : EXIT.error
        })
      })
    )

  models
    .command('download')
    .description('download a Hugging Face model repo into the models folder and register it')
    .argument('<repo-id>', 'owner/name, e.g. SmilingWolf/wd-vit-tagger-v3')
    .option('--mirror <url>', 'base URL replacing https://huggingface.co (e.g. a mirror)')
    .option(
      '--include <glob>',
      'repo paths to fetch (repeatable; default: the catalogue list)',
      collect
    )
    .option('--revision <rev>', 'branch, tag or commit (default main)')
    .option('--dry-run', 'list the files and sizes it would fetch, and fetch nothing')
    .action(
      action(state, async (repoId: string, opts: DownloadOptions, cmd: Command) => {
        const out = state.output
        return withCore(
          globalOptions(cmd),
          async (core) => {
            if (opts.dryRun) {
              const plan = await core.call('models.downloadPlan', {
                repoId,
                ...(opts.mirror ? { mirror: opts.mirror } : {}),
                ...(opts.include?.length ? { include: opts.include } : {}),
                ...(opts.revision ? { revision: opts.revision } : {})
              })
              out.print(
                table(
                  ['FILE', 'SIZE', 'ALREADY HERE'],
                  plan.files.map((f) => [
                    f.path,
                    formatBytes(f.size),
                    f.have === f.size ? 'yes' : f.have > 0 ? formatBytes(f.have) : ''
                  ])
                )
              )
              out.note(
                `${repoId}@${plan.revision}: ${plan.files.length} files, ${formatBytes(plan.totalBytes)}` +
                  (plan.haveBytes > 0 ? ` (${formatBytes(plan.haveBytes)} already here)` : '') +
                  ` → ${plan.dir}\nNothing was downloaded (dry run).`
              )
              await out.result({ ok: true, library: core.libraryFile, dryRun: true, ...plan })
              return
            }
            const started = await core.call('models.download', {
              repoId,
              ...(opts.mirror ? { mirror: opts.mirror } : {}),
              ...(opts.include?.length ? { include: opts.include } : {}),
              ...(opts.revision ? { revision: opts.revision } : {})
            })
            out.note(
              `${started.resumed ? 'Resuming the download of' : 'Downloading'} ${repoId} into ${started.dir}`
            )
            const { job, interrupted } = await followJob(
              core,
              out,
              started.jobId,
              'download',
              new ByteProgress(process.stderr)
            )
            const model = (await core.call('models.list', {})).find(
              (m) => path.resolve(m.dir) === path.resolve(started.dir)
            )
            const result = {
              ok: job.status === 'done',
              library: core.libraryFile,
              jobId: job.id,
              repoId,
              dir: started.dir,
              resumed: started.resumed,
              status: job.status,
              bytes: job.done,
              model: model ? modelJson(model) : null
            }
            if (job.status === 'failed') {
              await out.result({ ...result, error: job.error })
              throw new GlossaError(
                'IO_ERROR',
                `${repoId}: the download failed: ${job.error ?? 'unknown error'}`,
                { repoId, dir: started.dir, jobId: job.id }
              )
            }
            if (job.status === 'done')
              out.note(
                model
                  ? `Downloaded ${repoId} (${formatBytes(job.done)}) and added model "${model.id}" (${describeModel(model)})`
                  : `Downloaded ${repoId} (${formatBytes(job.done)}) into ${started.dir}`
              )
            else out.note(`Download ${job.status}; run the same command again to resume it.`)
            await out.result(result)
            if (job.status === 'done') return EXIT.ok
            return interrupted ? EXIT.interrupted : EXIT.error
          },
          { create: true }
        )
      })
    )

  const endpoint = models
    .command('endpoint')
    .description(
      'OpenAI-compatible servers (vLLM, SGLang, Ollama, LM Studio, llama.cpp, hosted APIs)'
    )

  endpoint
    .command('add')
    .description('add a server as a model: `glossa caption --model NAME` then captions with it')
    .argument('<name>', 'the model id (lowercase letters, digits, . _ -)')
    .requiredOption('--url <url>', 'the server, e.g. http://localhost:8000 (…/v1 is added)')
    .requiredOption('--model <model>', 'the model name the server serves (GET /v1/models)')
    .option('--key-env <var>', 'the environment variable holding the API key (never stored)')
    .option('--concurrency <n>', 'requests in flight (default 4)', (v) => parsePositiveInt(v))
    .option('--max-side <px>', 'longest image side sent (default 1024)', (v) => parsePositiveInt(v))
    .option('--stream', 'ask for streamed answers (server-sent events)')
    .option('--timeout <s>', 'seconds one request may take (default 120)', (v) =>
      parsePositiveInt(v)
    )
    .option('--replace', 'update the endpoint of that name')
    .option('--test', "test the connection once added (lists the server's models)")
    .action(
      action(state, async (name: string, opts: EndpointOptions, cmd: Command) => {
        const out = state.output
        return withCore(
          globalOptions(cmd),
          async (core) => {
            const m = await core.call('models.endpointSave', {
              endpoint: {
                name,
                url: opts.url,
                model: opts.model,
                ...(opts.keyEnv ? { keyEnv: opts.keyEnv } : {}),
                ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
                ...(opts.maxSide ? { maxSide: opts.maxSide } : {}),
                ...(opts.stream ? { stream: true } : {}),
                ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {})
              },
              replace: Boolean(opts.replace)
            })
            out.print(`Added endpoint "${m.id}" (${describeModel(m)}) at ${m.dir}`)
            if (m.endpoint?.keyEnv && !m.endpoint.keyAvailable)
              out.note(
                `note: $${m.endpoint.keyEnv} is not set in this shell; set it before captioning`
              )
            let test: EndpointTestResult | null = null
            if (opts.test) {
              test = await core.call('models.endpointTest', { id: m.id })
              out.note(testLines(test))
            } else out.note(`Test it with: glossa models endpoint test ${m.id}`)
            await out.result({ ok: true, library: core.libraryFile, model: modelJson(m), test })
            return test && !test.ok ? EXIT.error : EXIT.ok
          },
          { create: true }
        )
      })
    )

  endpoint
    .command('test')
    .description("connect to an endpoint and list the server's models (or say what is wrong)")
    .argument('<name>', 'the endpoint (see "glossa models ls")')
    .action(
      action(state, async (name: string, _opts: unknown, cmd: Command) => {
        const out = state.output
        return withCore(globalOptions(cmd), async (core) => {
          const r = await core.call('models.endpointTest', { id: name })
          out.print(testLines(r))
          if (r.models.length) out.note(`models served: ${r.models.join(', ')}`)
          await out.result({ library: core.libraryFile, id: name, ...r })
          return r.ok ? EXIT.ok : EXIT.error
        })
      })
    )
}
