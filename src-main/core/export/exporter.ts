/**
 * runExport: filter → refuse bad names and destinations (nothing written) → stage → place images
 * and captions → trainer metadata → manifest → rename into place → validate the way the trainer
 * reads it. Cancel (AbortSignal) or any fatal error removes the staging folder; a killed process
 * leaves only a marked staging folder beside the destination, removed by the next export there.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { GlossaError } from '../../shared/errors'
import {
  captionFlags,
  fineTuneJson,
  fineTuneToml,
  hfJsonl,
  hunyuanCsv,
  kohyaCaption,
  kohyaToml,
  oneTrainerCaption,
  oneTrainerConcepts,
  type WrittenImage
} from './config'
import type { IntendedCaption } from './caption'
import { placeImage, planImage, readOrientation } from './images'
import { ACCEPTED_EXT, planLayout, type PlannedImage } from './layout'
import { listFiles, sha256Of, type KnownFile, type Manifest } from './manifest'
import { pool, statFile, writeNewFile } from './pool'
import { checkDestination, cleanStaleStaging, commitStaging, createStaging } from './safety'
import { captionPlan, portability, readmeText } from './summary'
import { ExportProfile, type ExportOptions, type ExportResult } from './types'
import { validateExport } from './validate'

function cancelled(): GlossaError {
  return new GlossaError(
    'CANCELLED',
    'The export was cancelled; nothing was written to the destination.'
  )
}

export async function runExport(opts: ExportOptions): Promise<ExportResult> {
  const profile = ExportProfile.parse(opts.profile)
  const { signal, onProgress } = opts
  const progress = onProgress ?? (() => {})
  progress({ phase: 'check', done: 0, total: 1 })

  const images = opts.images.filter((i) => profile.status === 'any' || i.status === 'approved')
  if (images.length === 0) {
    const filtered = opts.images.length
    throw new GlossaError(
      'INVALID_ARGS',
      filtered > 0
        ? `Nothing to export: none of the ${filtered} image(s) is approved (choose "any" review status to export them all).`
        : 'Nothing to export: no images were given.'
    )
  }
  // Refusals first, before anything is written.
  const layout = planLayout(images, profile)
  const sourceDirs = [
    ...new Set([...(opts.sourceRoots ?? []), ...opts.images.map((i) => path.dirname(i.path))])
  ]
  const dest = await checkDestination(opts.destination, sourceDirs)
  if (signal?.aborted) throw cancelled()

  const t0 = performance.now()
  await cleanStaleStaging(dest)
  const staging = await createStaging(dest)
  try {
    const { result, intended } = await build(staging, dest, layout, profile, opts)
    if (signal?.aborted) throw cancelled()
    progress({ phase: 'finish', done: 0, total: 1 })
    await commitStaging(staging, dest)
    progress({ phase: 'validate', done: 0, total: 1 })
    // The read-back compares with the plan's intended captions, not with what was written.
    const v0 = performance.now()
    const validation = await validateExport(dest, profile.format, { intended })
    const t1 = performance.now()
    return {
      ...result,
      destination: dest,
      validation,
      timings: { totalMs: t1 - t0, validateMs: t1 - v0 }
    }
  } catch (err) {
    await fs.promises.rm(staging, { recursive: true, force: true })
    if (signal?.aborted) throw cancelled()
    throw err
  }
}

/** Why a source could not be placed, in words a user acts on. */
function placeReason(src: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' && (err as NodeJS.ErrnoException).path === src)
    return 'the source file no longer exists (moved or deleted after the export was planned)'
  return err instanceof Error ? err.message : String(err)
}

async function build(
  staging: string,
  dest: string,
  layout: ReturnType<typeof planLayout>,
  profile: ExportProfile,
  opts: ExportOptions
): Promise<{
  result: Omit<ExportResult, 'validation' | 'timings'>
  intended: Map<string, IntendedCaption>
}> {
  const { signal } = opts
  const progress = opts.onProgress ?? (() => {})
  const accepted = ACCEPTED_EXT[profile.format]
  const warnings = [...layout.warnings]
  const skipped = [...layout.skipped]
  const written: WrittenImage[] = []
  const manifestImages: Manifest['images'] = []
  const renamedById = new Map(layout.renamed.map((r) => [r.imageId, r]))
  let linkFallbacks = 0
  let done = 0
  const total = layout.items.length
  const flags = captionFlags(profile, layout.items)
  const marker = profile.caption.keepTokensSeparator
  const needsSize = profile.format === 'sdscripts'

  for (const s of layout.subsets)
    await fs.promises.mkdir(path.join(staging, ...s.folder.split('/')), { recursive: true })

  // Per file written: size and sha256 (captions and metadata hashed from the bytes written,
  // copies and links from the import when the source is unchanged) — the manifest's input.
  const known = new Map<string, KnownFile>()
  const placeOne = async (item: PlannedImage): Promise<void> => {
    const src = item.image.path
    let target: string | undefined
    let captionFile: string | undefined
    try {
      const orientation = profile.image.bakeOrientation ? await readOrientation(src) : 1
      const plan = planImage(src, profile.image, accepted, orientation)
      const rel = `${item.subset.folder}/${item.stem}${plan.ext}`
      const dest = path.join(staging, ...rel.split('/'))
      target = dest
      const placed = await placeImage(src, dest, plan, profile.image)
      let imageFacts: KnownFile | undefined
      if (plan.how !== 'reencode' && item.image.sha256) {
        // After the copy/link: a source changed before or during it has a new size or mtime.
        const st = await statFile(src)
        if (
          st.size === item.image.bytes &&
          Math.trunc(st.mtimeMs) === Math.trunc(item.image.mtimeMs ?? -1)
        )
          imageFacts = { bytes: st.size, sha256: item.image.sha256 }
      }
      let width = placed.width
      let height = placed.height
      if (needsSize && (width === undefined || height === undefined)) {
        const m = await sharp(dest)
          .metadata()
          .catch(() => undefined)
        width = m?.width
        height = m?.height
      }
      let captionRel: string | undefined
      let captionFacts: KnownFile | undefined
      if (profile.format === 'kohya' || profile.format === 'onetrainer') {
        captionRel = `${item.subset.folder}/${item.stem}.txt`
        const text =
          profile.format === 'kohya'
            ? kohyaCaption(item.caption, flags, marker)
            : oneTrainerCaption(item.caption)
        // UTF-8 without BOM, never empty, one alternative per line, trailing newline
        const data = Buffer.from(text, 'utf8')
        captionFile = path.join(staging, ...captionRel.split('/'))
        await writeNewFile(captionFile, data)
        captionFacts = { bytes: data.length, sha256: sha256Of(data) }
      }
      if (placed.linkFallback) linkFallbacks++
      if (plan.reason) warnings.push(`${src}: ${plan.reason}`)
      if (imageFacts) known.set(rel, imageFacts)
      if (captionRel && captionFacts) known.set(captionRel, captionFacts)
      const r = renamedById.get(item.image.id)
      if (r) r.exported = rel
      written.push({ item, rel, width, height })
      manifestImages.push({
        id: item.image.id,
        source: src,
        image: rel,
        ...(captionRel ? { caption: captionRel } : {}),
        intended: item.intended
      })
    } catch (err) {
      skipped.push({ imageId: item.image.id, source: src, reason: placeReason(src, err) })
      // a skipped image leaves nothing behind in the export
      if (target) await fs.promises.rm(target, { force: true })
      if (captionFile) await fs.promises.rm(captionFile, { force: true })
    }
    progress({ phase: 'images', done: ++done, total })
  }
  // Copies and links are cheap per file, so keep many in flight; re-encoding is CPU-bound.
  const reencodes =
    profile.image.mode === 'reencode' ||
    profile.image.maxSide !== undefined ||
    profile.image.format !== 'keep'
  await pool(layout.items, opts.concurrency ?? (reencodes ? 8 : 32), signal, placeOne)
  if (signal?.aborted) throw cancelled()
  const byPath = new Intl.Collator().compare
  written.sort((a, b) => byPath(a.rel, b.rel))
  manifestImages.sort((a, b) => byPath(a.image, b.image))

  progress({ phase: 'metadata', done: 0, total: 1 })
  const subsets = layout.subsets.filter((s) => written.some((w) => w.item.subset === s))
  const write = async (rel: string, text: string): Promise<void> => {
    const file = path.join(staging, ...rel.split('/'))
    const data = Buffer.from(text, 'utf8')
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    await writeNewFile(file, data)
    known.set(rel, { bytes: data.length, sha256: sha256Of(data) })
  }
  switch (profile.format) {
    case 'kohya':
      await write('dataset_config.toml', kohyaToml(subsets, dest, profile, flags))
      break
    case 'sdscripts': {
      const metas = subsets.map((s, i) => ({
        subset: s,
        metadataFile: `metadata/${String(i + 1).padStart(2, '0')}_${s.concept}.json`
      }))
      for (const m of metas) {
        await write(
          m.metadataFile,
          fineTuneJson(
            written.filter((w) => w.item.subset === m.subset),
            dest,
            profile,
            flags
          )
        )
      }
      await write('dataset_config.toml', fineTuneToml(metas, dest, profile, flags))
      break
    }
    case 'hf':
      await write('train/metadata.jsonl', hfJsonl(written, 'train'))
      break
    case 'hunyuan':
      await write('csvfile/image_text.csv', hunyuanCsv(written, dest, profile))
      break
    case 'onetrainer':
      await write('training_concepts/concepts.json', oneTrainerConcepts(subsets, dest, profile))
      break
  }
  const captions = captionPlan(
    profile,
    written.map((w) => w.item)
  )
  const port = portability(profile)
  await write('README.txt', readmeText(profile, captions, port, written.length))

  progress({ phase: 'manifest', done: 0, total: 1 })
  const files = await listFiles(staging, known, new Set(['.glossa-staging.json']), signal)
  const exportedIds = new Set(manifestImages.map((m) => m.id))
  const manifest: Manifest = {
    glossa: { manifest: 2 },
    format: profile.format,
    createdAt: new Date().toISOString(),
    destination: dest,
    profile,
    files,
    renamed: [...renamedById.values()].filter((r) => exportedIds.has(r.imageId)),
    images: manifestImages,
    skipped,
    warnings
  }
  await write('manifest.json', JSON.stringify(manifest, null, 2) + '\n')
  return {
    intended: new Map(written.map((w) => [w.rel, w.item.intended])),
    result: {
      destination: dest,
      format: profile.format,
      exported: written.length,
      skipped,
      renamed: manifest.renamed,
      warnings,
      linkFallbacks,
      files: files.length + 1,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      captions,
      portability: port
    }
  }
}
