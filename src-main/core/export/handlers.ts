/**
 * Export handlers: saved profiles, the dry-run plan (counts per concept, size, renames, warnings,
 * the destination's refusal if any) and export.start, which runs every refusal BEFORE a job is
 * created — bad destination, unsafe concept or class names, nothing to export — so the caller
 * gets a clear error and nothing is written. The job itself (jobs/export.ts) re-checks them.
 */
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import type {
  ExportPlanResult,
  ExportProfileArg,
  ExportProfileRecord,
  ExportReport,
  ImageFilter
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { HandlerMap } from '../context'
import { prepared } from '../db/statements'
import { checkDestination, ExportProfile, planLayout, type ExportImage } from './'
import { loadExportImages } from './job'
import { getJob } from '../jobs/runner'

interface ProfileRow {
  id: number
  name: string
  profile: string
  created_at: number
  updated_at: number
}

function recordFrom(r: ProfileRow): ExportProfileRecord {
  return {
    id: r.id,
    name: r.name,
    profile: ExportProfile.parse(JSON.parse(r.profile)) as ExportProfileRecord['profile'],
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

function getProfile(db: Database, id: number): ExportProfileRecord {
  const row = prepared(db, 'SELECT * FROM export_profiles WHERE id = ?').get(id) as
    ProfileRow | undefined
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

function resolveProfile(db: Database, a: ExportArgs): ExportProfile {
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
function prepare(db: Database, a: ExportArgs): Prepared {
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
  'export.profiles.list': (ctx) =>
    (
      prepared(
        ctx.db,
        'SELECT * FROM export_profiles ORDER BY name COLLATE NOCASE'
      ).all() as ProfileRow[]
    ).map(recordFrom),

  'export.profiles.save': (ctx, a) => {
    const profile = ExportProfile.parse({ ...a.profile, name: a.name })
    const now = Date.now()
    const clash = prepared(ctx.db, 'SELECT id FROM export_profiles WHERE name = ?').get(a.name) as
      { id: number } | undefined
    if (clash && clash.id !== a.id)
      throw new GlossaError('CONFLICT', `an export profile named "${a.name}" already exists`, {
        id: clash.id
      })
    if (a.id !== undefined) {
      getProfile(ctx.db, a.id)
      prepared(
        ctx.db,
        'UPDATE export_profiles SET name = ?, profile = ?, updated_at = ? WHERE id = ?'
      ).run(a.name, JSON.stringify(profile), now, a.id)
      return getProfile(ctx.db, a.id)
    }
    const info = prepared(
      ctx.db,
      'INSERT INTO export_profiles (name, profile, created_at, updated_at) VALUES (?, ?, ?, ?)'
    ).run(a.name, JSON.stringify(profile), now, now)
    return getProfile(ctx.db, Number(info.lastInsertRowid))
  },

  'export.profiles.delete': (ctx, a) => ({
    deleted: prepared(ctx.db, 'DELETE FROM export_profiles WHERE id = ?').run(a.id).changes > 0
  }),

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
      destinationProblem
    }
    return out
  },

  'export.start': async (ctx, a) => {
    const p = prepare(ctx.db, a)
    const destination = await checkDestination(a.destination, sourceDirs(p))
    // Another export into the same folder that has not finished would race for it.
    const busy = ctx.db
      .prepare(
        `SELECT id FROM jobs WHERE kind = 'export' AND status IN ('queued','running')
           AND json_extract(params, '$.destination') = ?`
      )
      .get(destination) as { id: number } | undefined
    if (busy)
      throw new GlossaError(
        'CONFLICT',
        `export job ${busy.id} is already writing to ${destination}`
      )
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
    const row = prepared(ctx.db, 'SELECT report FROM export_reports WHERE job_id = ?').get(
      a.jobId
    ) as { report: string } | undefined
    return {
      jobId: a.jobId,
      status: job.status,
      error: job.error,
      report: row ? (JSON.parse(row.report) as ExportReport) : null
    }
  }
} satisfies Partial<HandlerMap>
