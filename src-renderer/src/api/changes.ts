/**
 * The ONE map from changes to the queries they make stale.
 *
 * Every contract method is listed once (the compiler checks that none is missing):
 *  - a query says which kinds of data its result `reads` (see CHANGE_KINDS in
 *    @shared/constants), and which dataset or image its arguments narrow it to;
 *  - a mutation says which kinds it `writes` (and which dataset or images, from its arguments);
 *  - `jobs` queries follow the job events, `fixed` ones never go stale (pure functions, the
 *    file system, a model run).
 *
 * A `Change` comes from a `library.changed` event (kinds absent = anything may have changed), from
 * a `job.finished` event, or from a mutation the studio made; `affects(key, change)` decides
 * whether a cached query keyed `[method, args]` must be re-read. Pure module: no React, no DOM.
 */
import type { Args, ChangeKind, Events, JobInfo, MethodName, Result } from '@shared/api'
import { CHANGE_KINDS } from '@shared/constants'

/** What can make a cached result stale: a kind of library data, or a job's state. */
export type Dep = ChangeKind | 'jobs'

export interface Change {
  /** null = anything may have changed */
  kinds: ReadonlySet<Dep> | null
  /** null = any dataset (or the library as a whole) */
  datasetId: number | null
  /**
   * every dataset that changed, when the change named several (a move names both); absent or
   * null = as `datasetId` says
   */
  datasetIds?: ReadonlySet<number> | null
  /** null = any image */
  imageIds: ReadonlySet<number> | null
}

type Kinds = readonly Dep[]
type ArgsOf<M extends MethodName> = Args<M>

interface ReadSpec<M extends MethodName> {
  reads: Kinds | ((a: ArgsOf<M>) => Kinds)
  /** the dataset the result belongs to (undefined = several or all) */
  dataset?: (a: ArgsOf<M>) => number | undefined
  /** the one image the result is about */
  image?: (a: ArgsOf<M>) => number | undefined
}
interface WriteSpec<M extends MethodName> {
  /** null = anything may change (undo, redo) */
  writes: Kinds | null | ((a: ArgsOf<M>) => Kinds | null)
  dataset?: (a: ArgsOf<M>) => number | undefined
  images?: (a: ArgsOf<M>) => readonly number[] | undefined
}
/** never stale: the result depends only on the arguments (or on files outside the library) */
interface FixedSpec {
  fixed: true
}
type Spec<M extends MethodName> = ReadSpec<M> | WriteSpec<M> | FixedSpec

// ---------------------------------------------------------------------------------------------
// Kinds by topic

/** per-image data: rows, captions, tags, review status */
const IMAGE_DATA: Kinds = ['images', 'captions', 'tags', 'status']
/** a dataset summary: counts by status, captioned, errors; the name */
const SUMMARY: Kinds = ['datasets', 'images', 'captions', 'status']
/** what a glossary match looks at (captions, tags, paths) and the glossary itself */
const GLOSSARY_MATCH: Kinds = ['glossary', 'images', 'captions', 'tags']

interface FilterLike {
  datasetId?: number
  status?: unknown
  search?: unknown
  missing?: unknown
  tags?: unknown
  captionLength?: unknown
}

/** The kinds a grid filter itself depends on (a status filter is stale after a status change). */
export function filterKinds(f: FilterLike | undefined): Dep[] {
  const out: Dep[] = ['images']
  if (!f) return out
  if (f.status) out.push('status')
  if (f.search !== undefined) out.push('captions', 'tags')
  if (f.missing || f.captionLength) out.push('captions')
  if (f.tags) out.push('tags')
  return out
}

const withFilter =
  (base: Kinds) =>
  (a: { filter?: FilterLike }): Kinds => [...base, ...filterKinds(a.filter)]

interface Scoped {
  datasetId?: number
  filter?: FilterLike
  target?: { datasetId?: number }
  selection?: { datasetId?: number; filter?: FilterLike; ids?: number[] }
}
/** The dataset named by the usual argument shapes (datasetId, filter, target, selection). */
function datasetOf(a: unknown): number | undefined {
  const s = a as Scoped
  return (
    s.datasetId ??
    s.filter?.datasetId ??
    s.target?.datasetId ??
    s.selection?.datasetId ??
    s.selection?.filter?.datasetId
  )
}
function selectionIds(a: { selection: unknown }): number[] | undefined {
  const s = a.selection as { ids?: number[] }
  return s.ids
}
function targetIds(a: { target: unknown }): number[] | undefined {
  return (a.target as { imageIds?: number[] }).imageIds
}

type BulkKind = Args<'bulk.apply'>['op']['kind']
const BULK_WRITES: Record<BulkKind, Kinds> = {
  replace: ['captions'],
  'tags.add': ['tags'],
  'tags.remove': ['tags'],
  'tags.rename': ['tags'],
  'tags.merge': ['tags'],
  'tags.reorder': ['tags'],
  status: ['status'],
  concept: ['images'],
  trigger: ['captions', 'tags'],
  move: ['images', 'datasets'],
  delete: ['images', 'datasets']
}

// ---------------------------------------------------------------------------------------------
// The map

export const METHODS: { [M in MethodName]: Spec<M> } = {
  'library.info': { fixed: true },
  'library.stats': { reads: [...SUMMARY, 'tags'], dataset: datasetOf },
  'library.backup': { writes: [] },

  'datasets.list': { reads: SUMMARY },
  'datasets.create': { writes: ['datasets'] },
  'datasets.get': { reads: SUMMARY, dataset: (a) => a.id },
  'datasets.rename': { writes: ['datasets'], dataset: (a) => a.id },
  'datasets.delete': { writes: ['datasets', ...IMAGE_DATA, 'glossary', 'cleanupRules'] },
  'datasets.concepts': { reads: ['images'], dataset: (a) => a.datasetId },

  'settings.get': { reads: ['settings'] },
  'settings.set': { writes: ['settings'] },

  'images.page': { reads: withFilter(IMAGE_DATA), dataset: datasetOf },
  'images.get': { reads: IMAGE_DATA, image: (a) => a.id },
  'images.setStatus': { writes: ['status'], images: (a) => a.ids },

  'import.start': { writes: [] },
  'import.detect': { fixed: true },
  'fs.list': { fixed: true },

  'captions.setText': { writes: ['captions'], images: (a) => [a.imageId] },
  'captions.setFields': { writes: ['captions'], images: (a) => [a.imageId] },
  'captions.setTags': { writes: ['tags'], images: (a) => [a.imageId] },
  'captions.lint': {
    // the whole-target form is narrowed by its filter; token budgets read settings' tokenizers
    reads: (a) =>
      'imageId' in a ? [...GLOSSARY_MATCH] : [...GLOSSARY_MATCH, ...filterKinds(a.target.filter)],
    dataset: (a) => ('imageId' in a ? undefined : a.target.datasetId),
    image: (a) => ('imageId' in a ? a.imageId : undefined)
  },
  'captions.convertScript': {
    writes: ['captions'],
    dataset: datasetOf,
    images: (a) => targetIds(a)
  },
  'text.render': { fixed: true },
  'text.parse': { fixed: true },
  'text.tokens': { fixed: true },

  'history.undo': { writes: null },
  'history.redo': { writes: null },
  'history.list': { reads: ['datasets', ...IMAGE_DATA] },
  'history.image': { reads: IMAGE_DATA, image: (a) => a.imageId },
  'history.revert': { writes: IMAGE_DATA },

  'jobs.list': { reads: ['jobs'] },
  'jobs.get': { reads: ['jobs'] },
  'jobs.cancel': { writes: ['jobs'] },
  'jobs.resume': { writes: ['jobs'] },
  'jobs.errors': { reads: ['jobs'] },

  'models.list': { reads: ['models'] },
  'models.add': { writes: ['models'] },
  'models.remove': { writes: ['models'] },
  'models.catalogue': { reads: ['models'] },
  'models.download': { writes: ['models', 'jobs'] },
  'models.downloadPlan': { reads: ['models'] },
  'models.endpointSave': { writes: ['models'] },
  'models.endpointTest': { fixed: true },
  'models.endpointKey': { writes: ['models'] },
  'models.unload': { writes: ['models'] },
  'models.status': { reads: ['models', 'settings'] },
  'models.setRuntime': { writes: ['models', 'settings'] },
  // prompt presets are captioning configuration, kept with the models
  'presets.list': { reads: ['models'] },
  'presets.save': { writes: ['models'] },
  'presets.delete': { writes: ['models'] },
  'caption.preview': { fixed: true },
  'caption.prompts': { reads: ['captions'], image: (a) => a.imageId },
  'caption.start': { writes: ['jobs'] },

  'glossary.list': { reads: ['glossary'], dataset: (a) => a.datasetId },
  'glossary.get': { reads: ['glossary'] },
  'glossary.save': { writes: ['glossary'] },
  'glossary.delete': { writes: ['glossary'] },
  'glossary.assign': { writes: ['glossary'], images: (a) => a.imageIds },
  'glossary.import': { writes: ['glossary'] },
  'glossary.export': { writes: [] },
  'glossary.preview': {
    reads: (a) => [...GLOSSARY_MATCH, ...filterKinds(a.target.filter)],
    dataset: datasetOf
  },
  'glossary.apply': { writes: ['captions', 'tags'], dataset: datasetOf, images: targetIds },
  'glossary.knowledge': { reads: GLOSSARY_MATCH, image: (a) => a.imageId },

  'cleanup.presets': { fixed: true },
  'cleanup.preview': {
    reads: (a) => ['captions', 'tags', 'cleanupRules', ...filterKinds(a.target.filter)],
    dataset: datasetOf
  },
  'cleanup.apply': { writes: ['captions', 'tags'], dataset: datasetOf, images: targetIds },
  'cleanup.rules.get': { reads: ['cleanupRules'], dataset: (a) => a.datasetId },
  'cleanup.rules.save': { writes: ['cleanupRules'], dataset: (a) => a.datasetId },
  'cleanup.rules.test': { fixed: true },

  'export.profiles.list': { reads: ['exportProfiles'] },
  'export.profiles.save': { writes: ['exportProfiles'] },
  'export.profiles.delete': { writes: ['exportProfiles'] },
  'export.plan': {
    reads: (a) => ['datasets', ...IMAGE_DATA, 'exportProfiles', ...filterKinds(a.filter)],
    dataset: datasetOf
  },
  'export.start': { writes: ['jobs'] },
  'export.report': { reads: ['jobs'] },

  'selection.count': {
    reads: (a) => filterKinds((a.selection as { filter?: FilterLike }).filter),
    dataset: datasetOf
  },
  'bulk.preview': { reads: IMAGE_DATA, dataset: datasetOf },
  'bulk.apply': {
    writes: (a) => BULK_WRITES[a.op.kind],
    // a move changes the target dataset too
    dataset: (a) => (a.op.kind === 'move' ? undefined : datasetOf(a)),
    images: selectionIds
  },
  'tags.list': { reads: withFilter(['tags']), dataset: datasetOf },
  'tags.rename': { writes: ['tags'], dataset: datasetOf },
  'tags.merge': { writes: ['tags'], dataset: datasetOf },
  // groups show each image's status and captions; hashes are image data
  'dupes.find': { reads: IMAGE_DATA, dataset: (a) => a.datasetId },
  'dupes.keep': {
    writes: (a) => (a.action === 'delete' ? ['images', 'datasets'] : ['status']),
    images: (a) => [...a.keep, ...a.others]
  },
  'dupes.hash': { writes: ['jobs'], dataset: (a) => a.datasetId },
  'stats.tags': { reads: withFilter(['tags']), dataset: datasetOf },
  'stats.captionLengths': { reads: withFilter(['captions']), dataset: datasetOf },
  'stats.resolution': { reads: withFilter([]), dataset: datasetOf },
  'stats.buckets': { reads: withFilter([]), dataset: datasetOf },
  'stats.review': { reads: withFilter(['status']), dataset: datasetOf }
}

// ---------------------------------------------------------------------------------------------
// Query keys

/** The cache key of a call: `[method, args]` (TanStack hashes the arguments by value). */
export function callKey<M extends MethodName>(method: M, args: Args<M>): readonly [M, Args<M>] {
  return [method, args] as const
}

function isMethod(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(METHODS, x)
}

/** Does the method write data (a mutation) rather than read it? */
export function isMutation(method: MethodName): boolean {
  return 'writes' in METHODS[method]
}

// ---------------------------------------------------------------------------------------------
// Changes

export const EVERYTHING: Change = { kinds: null, datasetId: null, imageIds: null }

/** A library.changed event as a Change (kinds absent = anything). */
export function changeOfEvent(e: Events['library.changed']): Change {
  return {
    kinds: e.kinds ? new Set(e.kinds) : null,
    datasetId: e.datasetId,
    datasetIds: e.datasetIds ? new Set(e.datasetIds) : null,
    imageIds: e.imageIds ? new Set(e.imageIds) : null
  }
}

/**
 * What a finished job may have changed, besides the job itself: its own library.changed events
 * say it precisely, this makes sure the last word is read even when one of them was coalesced.
 */
const JOB_WRITES: Record<JobInfo['kind'], Kinds | null> = {
  import: ['datasets', ...IMAGE_DATA],
  // a caption run also loads models into the worker (models.status)
  caption: ['captions', 'tags', 'models'],
  download: ['models'],
  export: [],
  bulk: ['datasets', ...IMAGE_DATA],
  phash: ['images'],
  undo: null
}
export function changeOfJob(job: Pick<JobInfo, 'kind' | 'datasetId'>): Change {
  const w = JOB_WRITES[job.kind]
  return {
    kinds: w === null ? null : new Set<Dep>(['jobs', ...w]),
    datasetId: w === null ? null : job.datasetId,
    imageIds: null
  }
}

/** What a successful call of a mutation changed (null for a method that only reads). */
export function changeOfCall<M extends MethodName>(
  method: M,
  args: Args<M>,
  _result?: Result<M>
): Change | null {
  const spec = METHODS[method] as Spec<M>
  if (!('writes' in spec)) return null
  const w = typeof spec.writes === 'function' ? spec.writes(args) : spec.writes
  if (w !== null && w.length === 0) return null
  const ids = spec.images?.(args)
  return {
    kinds: w === null ? null : new Set(w),
    datasetId: w === null ? null : (spec.dataset?.(args) ?? null),
    imageIds: w === null || !ids ? null : new Set(ids)
  }
}

/** The datasets a change is narrowed to, or null for any. */
export function datasetsOf(c: Change): ReadonlySet<number> | null {
  if (c.datasetIds) return c.datasetIds
  return c.datasetId !== null ? new Set([c.datasetId]) : null
}

/** Two changes as one (for coalescing bursts): the union, widened where they differ. */
export function mergeChanges(a: Change, b: Change): Change {
  const da = datasetsOf(a)
  const db = datasetsOf(b)
  const ds = da && db ? new Set([...da, ...db]) : null
  return {
    kinds: a.kinds && b.kinds ? new Set([...a.kinds, ...b.kinds]) : null,
    datasetId: ds && ds.size === 1 ? [...ds][0]! : null,
    datasetIds: ds && ds.size > 1 ? ds : null,
    imageIds: a.imageIds && b.imageIds ? new Set([...a.imageIds, ...b.imageIds]) : null
  }
}

/** The kinds a query reads, or null when it never goes stale (or is not a read). */
export function readsOf<M extends MethodName>(method: M, args: Args<M>): Kinds | null {
  const spec = METHODS[method] as Spec<M>
  if (!('reads' in spec)) return null
  return typeof spec.reads === 'function' ? spec.reads(args) : spec.reads
}

/** Must the result of `method(args)` be read again after `change`? */
export function affectsCall<M extends MethodName>(
  method: M,
  args: Args<M>,
  change: Change
): boolean {
  const spec = METHODS[method] as Spec<M>
  if (!('reads' in spec)) return false
  const reads = typeof spec.reads === 'function' ? spec.reads(args) : spec.reads
  if (change.kinds && !reads.some((k) => change.kinds!.has(k))) return false
  // a change to jobs or to library-wide configuration is not narrowed by dataset or image
  const dataKinds = !change.kinds || [...change.kinds].some((k) => k !== 'jobs')
  if (!dataKinds) return true
  const datasets = datasetsOf(change)
  if (datasets !== null) {
    const d = spec.dataset?.(args)
    if (d !== undefined && !datasets.has(d)) return false
  }
  if (change.imageIds !== null) {
    const id = spec.image?.(args)
    if (id !== undefined && !change.imageIds.has(id)) return false
  }
  return true
}

/** `affectsCall` on a cache key; keys that are not `[method, args]` are left alone. */
export function affects(queryKey: readonly unknown[], change: Change): boolean {
  const [method, args] = queryKey
  if (!isMethod(method)) return false
  return affectsCall(method, (args ?? {}) as Args<typeof method>, change)
}

/** Every change kind (for tests and for "anything"). */
export const ALL_KINDS: readonly Dep[] = [...CHANGE_KINDS, 'jobs']
