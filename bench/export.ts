/**
 * Issue 6: trainer export. N 512×512 JPEGs with sidecars are imported once (the library is
 * cached), then exported to kohya through the real job (staging, captions, TOML, manifest with
 * sha256, the validation read-back, rename into place):
 *  - copy mode, as a ratio to `cp -r` of the same source folder in the same run (target ≤ 1.3);
 *  - hard-link mode, wall time (target ≤ 3 s for 10,000), with a bare fs.link loop as reference.
 * The page cache is warmed first so both sides read from memory, and `sync` runs between the
 * measurements so none pays for the previous one's write-back.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createCore, type Core } from '../src-main/core'
import type { ExportProfileArg } from '../src-main/shared/api'
import { mapLimit } from '../src-main/core/import/item'
import { jpegFixture } from './import-speed'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { cached, elapsedMs, sourceHash } from './util'

async function importedLibrary(ctx: BenchContext, src: string, n: number): Promise<string> {
  const hash = sourceHash([
    'src-main/core/jobs/import.ts',
    ...fs
      .readdirSync(path.resolve('src-main/core/db/migrations'))
      .map((f) => `src-main/core/db/migrations/${f}`)
      .sort()
  ])
  return cached(
    ctx.cacheDir,
    `export-library-${n}-${hash}`,
    async (target) => {
      const core = createCore({ dataDir: target, libraryFile: path.join(target, 'library.sqlite') })
      try {
        const { jobId } = await core.call('import.start', { dir: src, datasetName: 'bench' })
        const job = await core.waitForJob(jobId)
        if (job.status !== 'done') throw new Error(`fixture import ${job.status}: ${job.error}`)
      } finally {
        await core.close()
      }
    },
    ctx.log
  )
}

async function exportOnce(
  core: Core,
  datasetId: number,
  destination: string,
  mode: 'copy' | 'link'
): Promise<{ ms: number; linkFallbacks: number; files: number; ok: boolean }> {
  const profile: ExportProfileArg = { format: 'kohya', image: { mode } }
  const t0 = performance.now()
  const { jobId } = await core.call('export.start', {
    datasetId,
    profile,
    status: 'any',
    destination
  })
  const job = await core.waitForJob(jobId)
  const ms = elapsedMs(t0)
  const r = await core.call('export.report', { jobId })
  if (job.status !== 'done' || !r.report) throw new Error(`export ${job.status}: ${r.error}`)
  return {
    ms,
    linkFallbacks: r.report.linkFallbacks,
    files: r.report.files,
    ok: r.report.validation.ok
  }
}

/** flushes pending writes so one measurement does not pay for the previous one's write-back */
function sync(): void {
  spawnSync('sync')
}

function cpR(src: string, dst: string): number {
  const t0 = performance.now()
  const r = spawnSync('cp', ['-r', src, dst], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`cp -r exited with ${r.status}`)
  return elapsedMs(t0)
}

export const exportSpeed: Benchmark = {
  name: 'export',
  issue: 6,
  description: 'kohya export in copy mode vs cp -r of the same files; hard-link mode wall time',
  async run(ctx): Promise<Figure[]> {
    const n = ctx.quick ? 1000 : 10_000
    const src = await jpegFixture(ctx, n, 512, { sidecars: true })
    const libDir = await importedLibrary(ctx, src, n)
    const work = path.join(ctx.tmpDir, 'library')
    await fs.promises.cp(libDir, work, { recursive: true })
    const files = (await fs.promises.readdir(src)).map((f) => path.join(src, f))
    ctx.log(`export: ${n} JPEGs (${files.length} files); warming the page cache…`)
    await mapLimit(files, 8, async (f) => {
      await fs.promises.readFile(f)
    })

    const core = createCore({ dataDir: work, libraryFile: path.join(work, 'library.sqlite') })
    try {
      const datasetId = (await core.call('datasets.get', { name: 'bench' })).id
      // hard links first, before the copies leave gigabytes of dirty pages to write back
      sync()
      const link = await exportOnce(core, datasetId, path.join(ctx.tmpDir, 'link-out'), 'link')
      // reference: fs.link of the same images, nothing else
      const bare = path.join(ctx.tmpDir, 'bare-links')
      await fs.promises.mkdir(bare)
      const images = files.filter((f) => f.endsWith('.jpg'))
      const t0 = performance.now()
      await mapLimit(images, 8, (f) => fs.promises.link(f, path.join(bare, path.basename(f))))
      const bareMs = elapsedMs(t0)
      ctx.log(`export: link mode ${round(link.ms, 0)} ms, bare fs.link loop ${round(bareMs, 0)} ms`)

      sync()
      const cp1 = cpR(src, path.join(ctx.tmpDir, 'cp-1'))
      sync()
      ctx.log(`export: cp -r ${round(cp1, 0)} ms; exporting (copy)…`)
      const copy = await exportOnce(core, datasetId, path.join(ctx.tmpDir, 'copy-out'), 'copy')
      sync()
      const cp2 = cpR(src, path.join(ctx.tmpDir, 'cp-2'))
      const cpMs = (cp1 + cp2) / 2
      ctx.log(`export: copy mode ${round(copy.ms, 0)} ms, cp -r ${round(cp2, 0)} ms`)

      return [
        figure({
          id: 'export.copy',
          description: `kohya export of ${n} 512×512 JPEGs in copy mode (captions, TOML, manifest with sha256, validation)`,
          measured: {
            name: 'export wall time (start → job done)',
            value: round(copy.ms, 1),
            unit: 'ms'
          },
          reference: {
            name: 'cp -r of the same source folder (images + sidecars), mean of runs before and after',
            value: round(cpMs, 1),
            unit: 'ms'
          },
          target: { of: 'ratio', max: 1.3 },
          details: {
            images: n,
            filesWritten: copy.files,
            validationOk: copy.ok,
            cpRunsMs: [round(cp1, 1), round(cp2, 1)],
            imagesPerSecond: round(n / (copy.ms / 1000), 1)
          }
        }),
        figure({
          id: 'export.link',
          description: `kohya export of ${n} JPEGs in hard-link mode`,
          measured: {
            name: 'export wall time (start → job done)',
            value: round(link.ms, 1),
            unit: 'ms'
          },
          reference: {
            name: 'bare fs.link loop over the same images',
            value: round(bareMs, 1),
            unit: 'ms'
          },
          target: { of: 'value', max: ctx.quick ? 300 : 3000 },
          details: {
            images: n,
            linkFallbacks: link.linkFallbacks,
            filesWritten: link.files,
            validationOk: link.ok,
            note: ctx.quick ? 'quick: target scaled to 300 ms for 1,000 images' : undefined
          }
        })
      ]
    } finally {
      await core.close()
    }
  }
}
