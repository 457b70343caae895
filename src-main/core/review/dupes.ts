/**
 * Duplicate detection within a dataset.
 *  - exact: images with the same sha256;
 *  - near: images whose 64-bit perceptual hashes differ in at most `threshold` bits, grouped by
 *    connected components (union-find) of such pairs.
 * The near search is multi-index hashing (Norouzi et al.): the hash is cut into four 16-bit bands
 * and, by pigeonhole, two hashes within distance T agree on some band to within ⌊T/4⌋ bits. Each
 * band is a counting-sorted table (value → images), so a query probes Σ_{k≤⌊T/4⌋} C(16,k) values
 * per band (1 for T ≤ 3, 17 for T ≤ 7, 137 for T ≤ 11) and verifies the few candidates with a
 * popcount — near-linear in the dataset size, never all pairs. The search yields to the event
 * loop every ~25 ms.
 */
import type { ReadableDB } from '../db/types'
import type { DupeGroup, DupeImage, DupesResult, ReviewStatus } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { popcount32 } from './phash'
import { yieldLoop } from './bulk'
import { activePhashJob } from '../jobs/queries'
import { datasetExists, datasetHashes, dupeDetailRows, phashMissing } from './queries'

/** All 16-bit masks with at most r bits set. */
function masks(r: number): Int32Array {
  const out: number[] = []
  for (let m = 0; m < 1 << 16; m++) if (popcount32(m) <= r) out.push(m)
  return Int32Array.from(out)
}

class UnionFind {
  parent: Int32Array
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i)
  }
  find(x: number): number {
    const p = this.parent
    while (p[x] !== x) {
      p[x] = p[p[x]!]!
      x = p[x]!
    }
    return x
  }
  union(a: number, b: number): void {
    const ra = this.find(a)
    const rb = this.find(b)
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
}

/** Index pairs (i < j) of hashes within `threshold` bits, as union-find components. */
export async function nearComponents(
  hi: Uint32Array,
  lo: Uint32Array,
  threshold: number
): Promise<UnionFind> {
  const n = hi.length
  const uf = new UnionFind(n)
  const band = (i: number, b: number) =>
    b === 0 ? hi[i]! >>> 16 : b === 1 ? hi[i]! & 0xffff : b === 2 ? lo[i]! >>> 16 : lo[i]! & 0xffff
  // counting sort per band: start[v]..start[v+1] in order[]
  const starts: Uint32Array[] = []
  const orders: Int32Array[] = []
  for (let b = 0; b < 4; b++) {
    const start = new Uint32Array(65537)
    for (let i = 0; i < n; i++) start[band(i, b) + 1]!++
    for (let v = 0; v < 65536; v++) start[v + 1]! += start[v]!
    const fill = start.slice(0, 65536)
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[fill[band(i, b)]!++] = i
    starts.push(start)
    orders.push(order)
  }
  const ms = masks(Math.floor(threshold / 4))
  const seen = new Int32Array(n).fill(-1)
  let slice = Date.now()
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0 && Date.now() - slice > 25) {
      await yieldLoop()
      slice = Date.now()
    }
    for (let b = 0; b < 4; b++) {
      const v = band(i, b)
      const start = starts[b]!
      const order = orders[b]!
      for (let k = 0; k < ms.length; k++) {
        const w = v ^ ms[k]!
        for (let p = start[w]!, e = start[w + 1]!; p < e; p++) {
          const j = order[p]!
          if (j <= i || seen[j] === i) continue
          seen[j] = i
          if (popcount32(hi[i]! ^ hi[j]!) + popcount32(lo[i]! ^ lo[j]!) <= threshold) uf.union(i, j)
        }
      }
    }
  }
  return uf
}

/** Starts (or reuses) a phash job for images lacking a hash; null when none is needed. */
export function startHashJob(
  ctx: CoreContext,
  datasetId: number | undefined,
  redo: boolean
): { jobId: number | null; missing: number } {
  const db = ctx.db
  const missing = phashMissing(db, datasetId, redo)
  if (missing === 0) return { jobId: null, missing }
  const active = datasetId !== undefined && !redo ? activePhashJob(db, datasetId) : null
  if (active !== null) return { jobId: active, missing }
  return { jobId: ctx.jobs.create('phash', datasetId ?? null, { redo }).id, missing }
}

export async function findDupes(
  ctx: CoreContext,
  datasetId: number,
  threshold: number,
  limit: number
): Promise<DupesResult> {
  const db = ctx.db
  if (!datasetExists(db, datasetId))
    throw new GlossaError('NOT_FOUND', `dataset ${datasetId} does not exist`)
  const { jobId } = startHashJob(ctx, datasetId, false)
  if (jobId !== null) await ctx.jobs.wait(jobId)
  if (!db.open) throw new GlossaError('CANCELLED', 'the library is closing')
  const rows = datasetHashes(db, datasetId)
  const hashed = rows.filter((r) => r.phash !== null && r.phash.length === 16)
  const unhashed = rows.length - hashed.length

  const groups: { kind: 'exact' | 'near'; ids: number[]; key: string }[] = []
  const bySha = new Map<string, number[]>()
  for (const r of rows) {
    if (!r.sha256) continue
    const list = bySha.get(r.sha256)
    if (list) list.push(r.id)
    else bySha.set(r.sha256, [r.id])
  }
  for (const [sha, ids] of bySha)
    if (ids.length > 1) groups.push({ kind: 'exact', ids, key: `sha:${sha}` })

  const hi = Uint32Array.from(hashed, (r) => parseInt(r.phash!.slice(0, 8), 16))
  const lo = Uint32Array.from(hashed, (r) => parseInt(r.phash!.slice(8, 16), 16))
  const uf = await nearComponents(hi, lo, threshold)
  const comps = new Map<number, number[]>()
  hashed.forEach((_, i) => {
    const root = uf.find(i)
    const c = comps.get(root)
    if (c) c.push(i)
    else comps.set(root, [i])
  })
  for (const members of comps.values()) {
    if (members.length < 2) continue
    const shas = new Set(members.map((i) => hashed[i]!.sha256))
    if (shas.size === 1 && !shas.has(null)) continue // the same file: an exact group already
    const ids = members.map((i) => hashed[i]!.id)
    groups.push({ kind: 'near', ids, key: `near:${Math.min(...ids)}` })
  }
  groups.sort((a, b) => b.ids.length - a.ids.length || a.ids[0]! - b.ids[0]!)
  const shown = groups.slice(0, limit)
  return {
    threshold,
    groups: shown.map((g) => describeGroup(db, g)),
    totalGroups: groups.length,
    hashed: hashed.length,
    unhashed,
    hashJobId: jobId
  }
}

interface DetailRow {
  id: number
  file_name: string
  rel_path: string
  width: number | null
  height: number | null
  bytes: number
  format: string | null
  status: ReviewStatus
  sha256: string | null
  phash: string | null
  zh: string
  en: string
}

function describeGroup(
  db: ReadableDB,
  g: { kind: 'exact' | 'near'; ids: number[]; key: string }
): DupeGroup {
  const rows = dupeDetailRows<DetailRow>(db, g.ids)
  const score = (r: DetailRow) => [
    (r.width ?? 0) * (r.height ?? 0),
    r.bytes,
    r.zh || r.en ? 1 : 0,
    -r.id
  ]
  const best = rows.reduce((a, b) => {
    const sa = score(a)
    const sb = score(b)
    for (let k = 0; k < sa.length; k++) if (sa[k] !== sb[k]) return sb[k]! > sa[k]! ? b : a
    return a
  })
  const ordered = [best, ...rows.filter((r) => r !== best)]
  const dist = (r: DetailRow) =>
    r.phash?.length === 16 && best.phash?.length === 16
      ? popcount32(parseInt(r.phash.slice(0, 8), 16) ^ parseInt(best.phash.slice(0, 8), 16)) +
        popcount32(parseInt(r.phash.slice(8), 16) ^ parseInt(best.phash.slice(8), 16))
      : 0
  const images: DupeImage[] = ordered.map((r) => ({
    id: r.id,
    fileName: r.file_name,
    relPath: r.rel_path,
    width: r.width,
    height: r.height,
    bytes: r.bytes,
    format: r.format,
    status: r.status,
    sha256: r.sha256,
    phash: r.phash || null,
    zh: r.zh,
    en: r.en,
    distance: dist(r)
  }))
  return {
    id: g.key,
    kind: g.kind,
    images,
    maxDistance: Math.max(...images.map((i) => i.distance)),
    suggestedKeep: best.id
  }
}
