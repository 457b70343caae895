/**
 * `glossa caption --dataset NAME --model DIR|ID|ocr [--preset P] [--lang zh|en] [--batch N]
 *  [--overwrite-manual] [--redo] [--general-threshold X] [--character-threshold X]`
 *
 * Registers the model folder when it is not registered yet (models.add) — or uses a registered
 * model or endpoint by id, or the built-in OCR model `ocr` (fills the in-image `text` field in zh
 * and en) — then runs a caption job on the whole dataset with a terminal progress
 * bar. Ctrl-C cancels and keeps the finished images; running the same command again continues
 * (images already captioned by this model are skipped, an interrupted run resumes).
 */
import fs from 'node:fs'
import path from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import type { Core } from '../core'
import type { ModelInfo } from '../shared/api'
import { GlossaError } from '../shared/errors'
import { OCR_MODEL_ID, ocrModelInfo } from '../core/captioning/ocr-run'
import { formatCount } from './format'
import { describeModel, followJob } from './models'
import { parsePositiveInt } from './options'
import { ProgressView } from './progress'
import { action, datasetIdByName, EXIT, globalOptions, withCore, type CliState } from './runtime'

interface CaptionOptions {
  dataset: string
  model: string
  preset?: string
  lang?: 'zh' | 'en'
  batch?: number
  overwriteManual?: boolean
  redo?: boolean
  generalThreshold?: number
  characterThreshold?: number
}

function parseLang(value: string): 'zh' | 'en' {
  const v = value.trim().toLowerCase()
  if (v !== 'zh' && v !== 'en') throw new InvalidArgumentError('expected zh or en')
  return v
}

function parseThreshold(value: string): number {
  const n = Number(value)
  if (!/^\s*\d*\.?\d+\s*$/.test(value) || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError('expected a number from 0 to 1')
  return n
}

/**
 * The model named by --model: a folder (registered on first use; an already registered folder is
 * reused) or the id of a registered model.
 */
async function resolveModel(
  core: Core,
  spec: string
): Promise<{ model: ModelInfo; added: boolean }> {
  // the built-in OCR model (a folder of that name is given as ./ocr)
  if (spec === OCR_MODEL_ID) return { model: ocrModelInfo(), added: false }
  const abs = path.resolve(spec)
  const list = await core.call('models.list', {})
  if (fs.existsSync(abs)) {
    const known = list.find((m) => path.resolve(m.dir) === abs)
    if (known) return { model: known, added: false }
    return { model: await core.call('models.add', { dir: abs }), added: true }
  }
  const byId = list.find((m) => m.id === spec)
  if (byId) return { model: byId, added: false }
  throw new GlossaError(
    'NOT_FOUND',
    `${abs}: no such model folder (and no registered model has the id "${spec}")`,
    { file: abs }
  )
}

interface FailedImage {
  imageId: number
  file: string
  reason: string
}

async function failedImages(core: Core, jobId: number): Promise<FailedImage[]> {
  const out: FailedImage[] = []
  let afterSeq = 0
  for (;;) {
    const page = await core.call('jobs.errors', { id: jobId, afterSeq, limit: 1000 })
    for (const it of page.items) {
      const imageId = Number(it.key)
      let file = it.key
      if (Number.isSafeInteger(imageId) && imageId > 0) {
        try {
          file = (await core.call('images.get', { id: imageId })).path
        } catch {
          // the image was removed since: keep its id
        }
      }
      out.push({ imageId, file, reason: it.error })
    }
    if (page.nextSeq === null) return out
    afterSeq = page.nextSeq
  }
}

export function registerCaption(program: Command, state: CliState): void {
  program
    .command('caption')
    .description(
      'caption (or tag) every image of a dataset with a local model or an endpoint; re-running skips finished images'
    )
    .requiredOption('--dataset <name>', 'the dataset to caption')
    .requiredOption(
      '--model <dir|id>',
      'the model folder (registered on first use), or the id of a registered model or endpoint'
    )
    .option('--preset <id>', 'prompt preset for generative models (see the studio or presets.list)')
    .option('--lang <zh|en>', 'language of the caption written', parseLang)
    .option('--batch <n>', 'images per inference call for taggers with a dynamic batch', (v) =>
      parsePositiveInt(v)
    )
    .option('--overwrite-manual', 'also replace captions and tags edited by hand')
    .option('--redo', 'caption again images this model and preset already captioned')
    .option(
      '--general-threshold <x>',
      'tagger: general tag threshold (default 0.35)',
      parseThreshold
    )
    .option(
      '--character-threshold <x>',
      'tagger: character tag threshold (default 0.85)',
      parseThreshold
    )
    .action(
      action(state, async (opts: CaptionOptions, cmd: Command) => {
        const out = state.output
        return withCore(globalOptions(cmd), async (core) => {
          const datasetId = await datasetIdByName(core, opts.dataset)
          const { model, added } = await resolveModel(core, opts.model)
          if (added)
            out.note(`Added model "${model.id}" (${describeModel(model)}) from ${model.dir}`)
          const tagOptions =
            opts.generalThreshold !== undefined || opts.characterThreshold !== undefined
              ? {
                  ...(opts.generalThreshold !== undefined
                    ? { generalThreshold: opts.generalThreshold }
                    : {}),
                  ...(opts.characterThreshold !== undefined
                    ? { characterThreshold: opts.characterThreshold }
                    : {})
                }
              : undefined
          const { jobId } = await core.call('caption.start', {
            target: { datasetId },
            modelId: model.id,
            ...(opts.preset ? { preset: opts.preset } : {}),
            ...(opts.lang ? { lang: opts.lang } : {}),
            ...(opts.batch ? { batch: opts.batch } : {}),
            ...(tagOptions ? { tagOptions } : {}),
            overwriteManual: Boolean(opts.overwriteManual),
            redo: Boolean(opts.redo)
          })
          const started = await core.call('jobs.get', { id: jobId })
          const preset = typeof started.params.preset === 'string' ? started.params.preset : null
          const lang = typeof started.params.lang === 'string' ? started.params.lang : null
          out.note(
            `Captioning dataset "${opts.dataset}" with model "${model.id}"${preset ? ` (preset ${preset}, ${lang})` : ''} (${core.libraryFile})`
          )
          const { job, interrupted } = await followJob(
            core,
            out,
            jobId,
            'caption run',
            new ProgressView(process.stderr)
          )
          const full = await core.call('jobs.get', { id: jobId })
          const items = full.items ?? { pending: 0, done: full.done, skipped: 0, failed: 0 }
          const counts = {
            total: full.total,
            captioned: items.done,
            skipped: items.skipped,
            failed: items.failed,
            pending: items.pending
          }
          const failed = await failedImages(core, jobId)
          const result = {
            ok: job.status === 'done',
            library: core.libraryFile,
            jobId,
            dataset: opts.dataset,
            datasetId,
            model: {
              id: model.id,
              kind: model.kind,
              dir: model.dir,
              added
            },
            error: job.error,
            preset,
            lang,
            status: job.status,
            counts,
            failed
          }
          if (job.status === 'failed') {
            await out.result(result)
            const why = job.error ?? 'unknown error'
            throw new GlossaError(
              'INTERNAL',
              why.startsWith(model.dir) || model.kind === 'endpoint'
                ? `the caption run failed: ${why}`
                : `${model.dir}: the caption run failed: ${why}`,
              { file: model.dir, jobId }
            )
          }
          const lines = [
            `${job.status === 'done' ? 'Captioned' : `Caption run ${job.status}:`} dataset "${opts.dataset}" with "${model.id}" (job ${jobId})`,
            `  written ${formatCount(counts.captioned)} · skipped ${formatCount(counts.skipped)} (already captioned, or edited by hand) · failed ${formatCount(counts.failed)} · images ${formatCount(counts.total)}`
          ]
          if (job.status === 'interrupted' && job.error) lines.push(`  stopped: ${job.error}`)
          if (counts.pending > 0)
            lines.push(
              `  ${formatCount(counts.pending)} images not captioned yet; run the same command again to continue.`
            )
          if (failed.length) {
            lines.push(`Failed images (${formatCount(failed.length)}):`)
            for (const f of failed)
              lines.push(`  ${f.reason.startsWith(f.file) ? f.reason : `${f.file}: ${f.reason}`}`)
          }
          out.note(lines.join('\n'))
          await out.result(result)
          if (job.status === 'done') return EXIT.ok
          return interrupted ? EXIT.interrupted : EXIT.error
        })
      })
    )
}
