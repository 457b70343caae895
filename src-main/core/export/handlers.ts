/**
 * Export handlers: saved profiles, the dry-run plan (counts per concept, size, renames, warnings,
 * the destination's refusal if any) and export.start, which runs every refusal BEFORE a job is
 * created — bad destination, unsafe concept or class names, nothing to export — so the caller
 * gets a clear error and nothing is written. The job itself (jobs/export.ts) re-checks them.
 */
import path from 'node:path'
import type { ReadableDB } from '../db/types'
import type {
  ExportPlanResult,
  ExportProfileArg,
  ExportProfileRecord,
  ExportReport,
  ImageFilter
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { HandlerMap } from '../context'
import {
  allProfiles,
  busyExportInto,
  deleteProfile,
  insertProfile,
  profileById,
  profileIdByName,
  reportOf,
  updateProfile,
  type ProfileRow
} from './queries'
import {
  captionPlan,
  checkDestination,
  ExportProfile,
  planLayout,
  portability,
  type ExportImage
} from './'
import { loadExportImages } from './job'
import { getJob } from '../jobs/runner'

function recordFrom(r: ProfileRow): ExportProfileRecord {
  return {
    id: r.id,
    name: r.name,
    profile: ExportProfile.parse(JSON.parse(r.profile)) as ExportProfileRecord['profile'],
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

function getProfile(db: ReadableDB, id: number): ExportProfileRecord {
  const row = profileById(db, id)
  if (!row) throw new GlossaError('NOT_FOUND', `export profile ${id} does not exist`)
  return recordFrom(row)
}

interface ExportArgs {
  datasetId: number
  profile?: ExportProfileArg
  profileId?: number
  status?: 'approved' | 'any'
  filter?: ImageFilter
}

function resolveProfile(db: ReadableDB, a: ExportArgs): ExportProfile {
  const base = a.profile ?? getProfile(db, a.profileId!).profile
  const p = ExportProfile.parse(base)
  return a.status ? { ...p, status: a.status } : p
}

interface Prepared {
  profile: ExportProfile
  images: ExportImage[]
  roots: string[]
  candidates: number
  selected: ExportImage[]
  layout: ReturnType<typeof planLayout>
}

/** Loads and plans; throws the refusals that need no disk (names, nothing to export). */
function prepare(db: ReadableDB, a: ExportArgs): Prepared {
  const profile = resolveProfile(db, a)
  const { images, roots } = loadExportImages(db, a.datasetId, a.filter)
  const selected = images.filter((i) => profile.status === 'any' || i.status === 'approved')
  if (selected.length === 0) {
    throw new GlossaError(
      'INVALID_ARGS',
      images.length > 0
        ? `Nothing to export: none of the ${images.length} image(s) is approved (choose "any" review status to export them all).`
        : 'Nothing to export: the dataset has no images.'
    )
  }
  const layout = planLayout(selected, profile)
  return { profile, images, roots, candidates: images.length, selected, layout }
}

const sourceDirs = (p: Prepared): string[] => [
  ...new Set([...p.roots, ...p.images.map((i) => path.dirname(i.path))])
]

export const exportHandlers = {
  'export.profiles.list': (ctx) => allProfiles(ctx.db).map(recordFrom),

  'export.profiles.save': (ctx, a) => {
    const profile = ExportProfile.parse({ ...a.profile, name: a.name })
    const now = Date.now()
    const clash = profileIdByName(ctx.db, a.name)
    if (clash !== undefined && clash !== a.id)
      throw new GlossaError('CONFLICT', `an export profile named "${a.name}" already exists`, {
        id: clash
      })
    if (a.id !== undefined) {
      getProfile(ctx.db, a.id)
      updateProfile(ctx.db, a.id, a.name, JSON.stringify(profile), now)
      return getProfile(ctx.db, a.id)
    }
    return getProfile(ctx.db, insertProfile(ctx.db, a.name, JSON.stringify(profile), now))
  },

  'export.profiles.delete': (ctx, a) => ({ deleted: deleteProfile(ctx.db, a.id) }),

  'export.plan': async (ctx, a) => {
    const p = prepare(ctx.db, a)
    let destinationProblem: string | null = null
    if (a.destination !== undefined) {
      try {
        await checkDestination(a.destination, sourceDirs(p))
      } catch (err) {
        destinationProblem = err instanceof Error ? err.message : String(err)
      }
    }
    const bytesOf = new Map(p.selected.map((i) => [i.id, i.bytes ?? 0]))
    const out: ExportPlanResult = {
      format: p.profile.format,
      candidates: p.candidates,
      images: p.layout.items.length,
      bytes: p.layout.items.reduce((n, it) => n + (bytesOf.get(it.image.id) ?? 0), 0),
      subsets: p.layout.subsets.map((s) => ({
        folder: s.folder,
        concept: s.concept,
        classTokens: s.classTokens,
        repeats: s.repeats,
        isReg: s.isReg,
        images: s.items.length,
        bytes: s.items.reduce((n, it) => n + (bytesOf.get(it.image.id) ?? 0), 0)
      })),
      renamed: p.layout.renamed,
      skipped: p.layout.skipped,
      warnings: p.layout.warnings,
      destinationProblem,
      captions: captionPlan(p.profile, p.layout.items),
      portability: portability(p.profile)
    }
    return out
  },

  'export.start': async (ctx, a) => {
    const p = prepare(ctx.db, a)
    const destination = await checkDestination(a.destination, sourceDirs(p))
    // Another export into the same folder that has not finished would race for it.
    const busy = busyExportInto(ctx.db, destination)
    if (busy !== undefined)
      throw new GlossaError('CONFLICT', `export job ${busy} is already writing to ${destination}`)
    const job = ctx.jobs.create('export', a.datasetId, {
      datasetId: a.datasetId,
      profile: p.profile,
      destination,
      ...(a.filter ? { filter: a.filter } : {})
    })
    return { jobId: job.id, images: p.layout.items.length }
  },

  'export.report': (ctx, a) => {
    const job = getJob(ctx.db, a.jobId)
    if (job.kind !== 'export')
      throw new GlossaError('INVALID_ARGS', `job ${a.jobId} is not an export (it is "${job.kind}")`)
    const report = reportOf(ctx.db, a.jobId)
    return {
      jobId: a.jobId,
      status: job.status,
      error: job.error,
      report: report ? (JSON.parse(report) as ExportReport) : null
    }
  }
} satisfies Partial<HandlerMap>
