import fs from 'node:fs'
import path from 'node:path'
import { prepared } from '../db/statements'
import type { WritableDB } from '../db/types'
import { decodeText } from './text'
import { splitCaption } from './caption-kind'
import { FileProblem, probeFile, readRegularFile, type ProbeResult } from './probe'
import { describeFsError } from './scan'
import type { CaptionEntry, CaptionSource } from './formats'

/** What examining one job item found; stored by store.ts in the batch transaction. */
export type ItemOutcome =
  | { kind: 'unchanged'; seq: number; path: string }
  | {
      kind: 'ok'
      seq: number
      path: string
      probe: ProbeResult
      /** null: no sidecar; undefined: the sidecar could not be read (raw left as it was) */
      sidecar: Sidecar | null | undefined
      /** a problem with the sidecar, reported on the job item */
      sidecarError?: string
      note?: string
      /**
       * tags from a metadata file (sd-scripts, HF) and the caption's tag list (caption-kind.ts);
       * undefined = none
       */
      tags?: string[]
      /** the caption's text part when it listed tags (stored instead of the whole raw text) */
      captionText?: string
      /** a kohya regularisation image */
      reg?: boolean
    }
  | { kind: 'error'; seq: number; path: string; reason: string; bytes: number; mtimeMs: number }

export interface Sidecar {
  file: string
  text: string
  encoding: string
  mtimeMs: number
}

interface ExistingRow {
  bytes: number
  mtime_ms: number
  raw_file: string | null
  raw_mtime_ms: number | null
  error: string | null
}

/**
 * Folder listings for sidecar lookup (`<stem>.txt` / `<stem>.caption` in any letter case), kept
 * for the few most recent folders: a batch of items mostly shares one folder.
 */
export class ListingCache {
  private cache = new Map<string, Map<string, string[]>>()
  constructor(private max = 16) {}

  async get(dir: string): Promise<Map<string, string[]>> {
    const hit = this.cache.get(dir)
    if (hit) {
      this.cache.delete(dir)
      this.cache.set(dir, hit)
      return hit
    }
    const byLower = new Map<string, string[]>()
    try {
      for (const name of await fs.promises.readdir(dir)) {
        const k = name.toLowerCase()
        const list = byLower.get(k)
        if (list) list.push(name)
        else byLower.set(k, [name])
      }
    } catch {
      // an unreadable folder simply has no sidecars; the image itself reports its own problem
    }
    this.cache.set(dir, byLower)
    while (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!)
    return byLower
  }
}

/** The sidecar files beside `file`: `.txt` preferred over `.caption`; exact case preferred. */
export async function findSidecars(file: string, listings: ListingCache): Promise<string[]> {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const stem = base.slice(0, base.length - path.extname(base).length)
  const listing = await listings.get(dir)
  const found: string[] = []
  for (const ext of ['.txt', '.caption']) {
    const want = stem + ext
    const names = listing.get(want.toLowerCase())
    if (!names?.length) continue
    found.push(path.join(dir, names.includes(want) ? want : names[0]!))
  }
  return found
}

export interface ExamineDeps {
  db: WritableDB
  datasetId: number
  listings: ListingCache
  /** where captions come from (default: sidecars beside each image) */
  source?: CaptionSource
}

/**
 * Examines one file. A file seen before is first checked cheaply: unchanged (same size and mtime,
 * same sidecar with the same mtime, no earlier error) costs two stats and one indexed lookup — no
 * read, no hash, no decode. A new file skips the stats: the read's own fstat gives them.
 */
export async function examineItem(
  deps: ExamineDeps,
  seq: number,
  file: string
): Promise<ItemOutcome> {
  const existing = prepared(
    deps.db,
    'SELECT bytes, mtime_ms, raw_file, raw_mtime_ms, error FROM images WHERE dataset_id = ? AND path = ?'
  ).get(deps.datasetId, file) as ExistingRow | undefined
  const meta = deps.source?.metadata
  const entry: CaptionEntry | undefined = meta?.get(file)
  const sidecars = meta ? [] : await findSidecars(file, deps.listings)
  const sidecarFile = meta ? (entry?.file ?? null) : (sidecars[0] ?? null)
  const reg = deps.source?.isReg(file) ?? false

  if (existing && existing.error === null) {
    let st: fs.Stats
    try {
      st = await fs.promises.stat(file)
    } catch (err) {
      return { kind: 'error', seq, path: file, reason: describeFsError(err), bytes: 0, mtimeMs: 0 }
    }
    let sidecarMtime: number | null = null
    let sidecarOk = true
    if (entry) sidecarMtime = entry.mtimeMs
    else if (sidecarFile) {
      try {
        const sst = await fs.promises.stat(sidecarFile)
        sidecarMtime = Math.trunc(sst.mtimeMs)
        sidecarOk = sst.isFile()
      } catch {
        sidecarOk = false
      }
    }
    if (
      st.isFile() &&
      sidecarOk &&
      existing.bytes === st.size &&
      existing.mtime_ms === Math.trunc(st.mtimeMs) &&
      existing.raw_file === sidecarFile &&
      existing.raw_mtime_ms === sidecarMtime
    ) {
      return { kind: 'unchanged', seq, path: file }
    }
  }

  let probe: ProbeResult
  try {
    probe = await probeFile(file)
  } catch (err) {
    const reason = err instanceof FileProblem ? err.message : `unexpected: ${describeFsError(err)}`
    const facts = err instanceof FileProblem ? err.facts : undefined
    return {
      kind: 'error',
      seq,
      path: file,
      reason,
      bytes: facts?.size ?? 0,
      mtimeMs: facts?.mtimeMs ?? 0
    }
  }

  let sidecar: Sidecar | null | undefined = null
  let sidecarError: string | undefined
  if (meta) {
    const out: ItemOutcome = { kind: 'ok', seq, path: file, probe, sidecar: null, reg }
    if (entry) {
      out.sidecar = {
        file: entry.file,
        text: entry.text,
        encoding: 'utf-8',
        mtimeMs: entry.mtimeMs
      }
      out.tags = entry.tags
      out.note = `caption from ${entry.where}`
      readTagList(out, deps)
    } else if (deps.source?.missing) out.sidecarError = deps.source.missing(file)
    return out
  }
  if (sidecarFile) {
    try {
      const { buf, stat } = await readRegularFile(sidecarFile)
      sidecar = { file: sidecarFile, ...decodeText(buf), mtimeMs: Math.trunc(stat.mtimeMs) }
    } catch (err) {
      sidecar = undefined
      sidecarError = err instanceof Error ? err.message : String(err)
    }
  }
  const out: ItemOutcome = { kind: 'ok', seq, path: file, probe, sidecar, reg }
  readTagList(out, deps)
  if (sidecarError) out.sidecarError = `caption file ${sidecarFile}: ${sidecarError}`
  if (sidecars.length > 1)
    out.note = `both ${path.basename(sidecars[0]!)} and ${path.basename(sidecars[1]!)} exist; used ${path.basename(sidecars[0]!)}`
  return out
}

/**
 * A caption that lists tags gives the image its tags (after any the metadata gave) and keeps only
 * its text part as the caption; the raw text stays whole.
 */
function readTagList(out: Extract<ItemOutcome, { kind: 'ok' }>, deps: ExamineDeps): void {
  if (!out.sidecar) return
  const split = splitCaption(out.sidecar.text, deps.source?.captionKind ?? 'auto')
  if (split.tags.length === 0) return
  out.captionText = split.text
  out.tags = [...(out.tags ?? []), ...split.tags]
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (t: T) => Promise<R>
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
