/**
 * Hugging Face downloads (job kind 'download') into `<dataDir>/models/<owner>/<name>`.
 *
 * - The file list comes from `<base>/api/models/<repo>/tree/<rev>?recursive=1` (size, git oid,
 *   and for LFS files the sha256 `lfs.oid`), filtered by `include` globs; it is stored in
 *   `download_files` and the paths become job items, so a resumed job fetches the same list.
 * - Each file streams from `<base>/<repo>/resolve/<rev>/<path>` into `<file>.part`, hashing as
 *   it goes. A dropped connection is retried (up to 5 times) with `Range: bytes=<have>-`; a
 *   server answering 200 to a Range request restarts the file. Progress is counted in bytes.
 * - Verification: the size, then the LFS sha256 (or, when the tree has none, a 64-hex
 *   X-Linked-Etag / ETag header), or for small non-LFS files the git blob sha1. A mismatch
 *   deletes the .part and fails that file with a message naming it; other files go on.
 * - Only a verified file is renamed into place: cancel (or a kill) never leaves a partial file
 *   under the real name. The `.part` is KEPT on cancel so a resumed job continues from it.
 * - `base` (default https://huggingface.co) may be a mirror; tests use a loopback server.
 * At the end the folder is registered as a model (models.add), which also validates it.
 */
import { createHash, type Hash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import picomatch from 'picomatch'
import type { DownloadPlan } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { describeError } from '../jobs/errors'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobControl,
  type JobKindImpl
} from '../jobs/runner'
import { hostOf } from './job'
import { downloadFiles, retryFailedItems, setDownloadFiles } from './queries'
import { jobProgressRow } from '../jobs/queries'
import { addModel } from './registry'

export const DEFAULT_HF_BASE = 'https://huggingface.co'
const MAX_ATTEMPTS = 5

export interface DownloadParams {
  repoId: string
  base: string
  revision: string
  include: string[] | null
  /** exact paths the model needs (the catalogue's); a repo without them is refused up front */
  required?: string[] | null
  dir: string
}

interface TreeEntry {
  type: string
  path: string
  size?: number
  oid?: string
  lfs?: { oid?: string; size?: number }
}

export interface RemoteFile {
  path: string
  size: number
  sha256: string | null
  gitOid: string | null
}

export function modelsDir(ctx: CoreContext): string {
  return path.join(ctx.dataDir, 'models')
}

export function downloadDir(ctx: CoreContext, repoId: string): string {
  const [owner, name] = repoId.split('/') as [string, string]
  return path.join(modelsDir(ctx), owner, name)
}

function trimBase(base: string): string {
  return base.replace(/\/+$/, '')
}

const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/')

/** Lists a repo's files (recursively), keeping those matching `include` (all when null). */
export async function listRepoFiles(
  p: Pick<DownloadParams, 'base' | 'repoId' | 'revision' | 'include'>,
  signal?: AbortSignal
): Promise<RemoteFile[]> {
  const url = `${trimBase(p.base)}/api/models/${p.repoId}/tree/${encodeURIComponent(p.revision)}?recursive=1`
  let res: Response
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } })
  } catch (err) {
    if (signal?.aborted) throw new GlossaError('CANCELLED', 'the download was cancelled')
    throw new GlossaError('IO_ERROR', `cannot list ${p.repoId} at ${url}: ${describeError(err)}`, {
      url
    })
  }
  if (res.status === 404)
    throw new GlossaError('NOT_FOUND', `${p.repoId}: no such repository or revision at ${p.base}`)
  if (!res.ok) throw new GlossaError('IO_ERROR', `${url}: HTTP ${res.status}`, { url })
  const body = (await res.json()) as unknown
  if (!Array.isArray(body)) throw new GlossaError('IO_ERROR', `${url}: not a file listing`)
  const match = p.include?.length ? picomatch(p.include, { dot: true }) : null
  const files: RemoteFile[] = []
  for (const e of body as TreeEntry[]) {
    if (e.type !== 'file' || typeof e.path !== 'string') continue
    if (e.path.split('/').some((s) => s === '..' || s === '' || s === '.')) continue
    if (match && !match(e.path)) continue
    const size = e.lfs?.size ?? e.size ?? 0
    const sha = e.lfs?.oid && /^[0-9a-f]{64}$/i.test(e.lfs.oid) ? e.lfs.oid.toLowerCase() : null
    const gitOid = !e.lfs && e.oid && /^[0-9a-f]{40}$/i.test(e.oid) ? e.oid.toLowerCase() : null
    files.push({ path: e.path, size, sha256: sha, gitOid })
  }
  if (files.length === 0)
    throw new GlossaError(
      'NOT_FOUND',
      `${p.repoId}: no files match ${p.include ? p.include.join(', ') : 'the listing'}`
    )
  return files
}

/**
 * What a download would fetch, before anything is fetched: the repo listing filtered by the
 * include patterns, each file's size, and how much of it is already in the target folder
 * (finished files, or `.part` files a cancelled download left).
 */
export async function planDownload(p: DownloadParams, signal?: AbortSignal): Promise<DownloadPlan> {
  const files = await listRepoFiles(p, signal)
  const out = files.map((f) => {
    const target = path.join(p.dir, ...f.path.split('/'))
    const done =
      fs.existsSync(target) && !fs.existsSync(`${target}.part`) && sizeOf(target) === f.size
    return {
      path: f.path,
      size: f.size,
      have: done ? f.size : Math.min(sizeOf(`${target}.part`), f.size)
    }
  })
  return {
    repoId: p.repoId,
    revision: p.revision,
    dir: p.dir,
    files: out,
    totalBytes: out.reduce((s, f) => s + f.size, 0),
    haveBytes: out.reduce((s, f) => s + f.have, 0),
    include: p.include,
    missing: missingRequired(p, files)
  }
}

function missingRequired(p: Pick<DownloadParams, 'required'>, files: RemoteFile[]): string[] {
  const have = new Set(files.map((f) => f.path))
  return (p.required ?? []).filter((r) => !have.has(r))
}

async function hashExisting(file: string, sha: Hash, git: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) {
    sha.update(chunk as Buffer)
    git.update(chunk as Buffer)
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

class Retryable extends Error {}

/**
 * Downloads one file into `<dir>/<path>` (via `.part`), resuming from an existing `.part`.
 * `onBytes` reports bytes newly received (negative when a restart discards a partial file).
 */
export async function downloadFile(
  p: Pick<DownloadParams, 'base' | 'repoId' | 'revision' | 'dir'>,
  f: RemoteFile,
  signal: AbortSignal,
  onBytes: (n: number) => void
): Promise<void> {
  const target = path.join(p.dir, ...f.path.split('/'))
  const part = `${target}.part`
  await fs.promises.mkdir(path.dirname(target), { recursive: true })
  if (sizeOf(target) === f.size && fs.existsSync(target) && !fs.existsSync(part)) return
  const url = `${trimBase(p.base)}/${p.repoId}/resolve/${encodeURIComponent(p.revision)}/${encodePath(f.path)}`
  let headerSha: string | null = null
  for (let attempt = 1; ; attempt++) {
    let have = sizeOf(part)
    if (have > f.size) {
      await fs.promises.rm(part, { force: true })
      onBytes(-have)
      have = 0
    }
    const sha = createHash('sha256')
    const git = createHash('sha1')
    git.update(`blob ${f.size}\0`)
    try {
      if (have < f.size || f.size === 0) {
        const headers: Record<string, string> = {}
        if (have > 0) headers.range = `bytes=${have}-`
        let res: Response
        try {
          res = await fetch(url, { signal, headers })
        } catch (err) {
          if (signal.aborted) throw err
          throw new Retryable(`${f.path}: ${describeError(err)}`)
        }
        const etag = (res.headers.get('x-linked-etag') ?? res.headers.get('etag') ?? '')
          .replace(/^W\//, '')
          .replace(/"/g, '')
        if (/^[0-9a-f]{64}$/i.test(etag)) headerSha = etag.toLowerCase()
        if (res.status === 416 && have > 0) {
          await res.body?.cancel()
        } else if (res.status === 200 || res.status === 206) {
          if (res.status === 200 && have > 0) {
            // the server ignored the Range: start over
            await fs.promises.rm(part, { force: true })
            onBytes(-have)
            have = 0
          }
          if (have > 0) await hashExisting(part, sha, git)
          await streamTo(res, part, have > 0, (chunk) => {
            sha.update(chunk)
            git.update(chunk)
            onBytes(chunk.length)
          })
        } else {
          await res.body?.cancel()
          const msg = `${f.path}: HTTP ${res.status} from ${url}`
          if (res.status >= 500 || res.status === 429) throw new Retryable(msg)
          throw new GlossaError('IO_ERROR', msg, { file: f.path })
        }
      } else {
        await hashExisting(part, sha, git)
      }
      const got = sizeOf(part)
      if (got < f.size)
        throw new Retryable(`${f.path}: connection closed at ${got} of ${f.size} bytes`)
      await verify(f, got, sha.digest('hex'), git.digest('hex'), headerSha, part)
      await fs.promises.rename(part, target)
      return
    } catch (err) {
      if (signal.aborted)
        throw new GlossaError('CANCELLED', 'the download was cancelled', { file: f.path })
      if (err instanceof Retryable && attempt < MAX_ATTEMPTS) {
        await new Promise<void>((r) => setTimeout(r, 100 * attempt))
        continue
      }
      throw err instanceof Retryable
        ? new GlossaError('IO_ERROR', `${err.message} (gave up after ${attempt} attempts)`, {
            file: f.path
          })
        : err
    }
  }
}

async function verify(
  f: RemoteFile,
  size: number,
  sha: string,
  gitSha1: string,
  headerSha: string | null,
  part: string
): Promise<void> {
  const fail = async (reason: string): Promise<never> => {
    await fs.promises.rm(part, { force: true })
    throw new GlossaError('IO_ERROR', `${f.path}: ${reason}; the download was discarded`, {
      file: f.path,
      reason
    })
  }
  if (size !== f.size) await fail(`size mismatch (expected ${f.size} bytes, got ${size})`)
  const expected = f.sha256 ?? (f.gitOid ? null : headerSha)
  if (expected && sha !== expected)
    await fail(`checksum mismatch (expected sha256 ${expected}, got ${sha})`)
  if (!expected && f.gitOid && gitSha1 !== f.gitOid)
    await fail(`checksum mismatch (expected git blob ${f.gitOid}, got ${gitSha1})`)
}

async function streamTo(
  res: Response,
  file: string,
  append: boolean,
  onChunk: (b: Buffer) => void
): Promise<void> {
  if (!res.body) return
  const out = fs.createWriteStream(file, { flags: append ? 'a' : 'w' })
  const done = new Promise<void>((resolve, reject) => {
    out.on('error', reject)
    out.on('finish', resolve)
  })
  try {
    for await (const chunk of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
      const buf = chunk as Buffer
      onChunk(buf)
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()))
    }
  } catch (err) {
    out.end()
    await done.catch(() => undefined)
    if (err instanceof Error && err.name === 'AbortError') throw err
    throw new Retryable((err as Error).message)
  }
  out.end()
  await done
}

function parseParams(p: Record<string, unknown>): DownloadParams {
  if (typeof p.repoId !== 'string' || typeof p.base !== 'string' || typeof p.dir !== 'string')
    throw new GlossaError('INVALID_ARGS', 'download job: params need repoId, base and dir')
  return p as unknown as DownloadParams
}

async function listPhase(
  ctx: CoreContext,
  jobId: number,
  p: DownloadParams,
  control: JobControl
): Promise<void> {
  const { db } = ctx
  control.setPhase('list', 0)
  const files = await listRepoFiles(p, control.signal)
  const missing = missingRequired(p, files)
  if (missing.length)
    throw new GlossaError(
      'NOT_FOUND',
      `${p.repoId}@${p.revision} lacks ${missing.join(', ')}, which the model needs; nothing was downloaded`
    )
  setDownloadFiles(db, jobId, files, (paths) => addJobItems(db, jobId, paths))
}

export const downloadJob: JobKindImpl = {
  kind: 'download',
  async run(ctx, job, control) {
    const { db } = ctx
    const p = parseParams(job.params)
    const phase = jobProgressRow(db, job.id).phase
    if (phase !== 'download' && phase !== 'register') await listPhase(ctx, job.id, p, control)
    if (control.signal.aborted) return
    // a resumed download retries the files that failed last time
    retryFailedItems(db, job.id)
    const files: RemoteFile[] = downloadFiles(db, job.id)
    const byPath = new Map(files.map((f) => [f.path, f]))
    const total = files.reduce((s, f) => s + f.size, 0)
    // bytes already here: finished files and partial .part files
    let have = 0
    const pending = new Set(pendingJobItems(db, job.id, 0, 1_000_000).map((i) => i.key))
    for (const f of files) {
      const target = path.join(p.dir, ...f.path.split('/'))
      have += pending.has(f.path) ? Math.min(sizeOf(`${target}.part`), f.size) : f.size
    }
    control.setPhase('download', total)
    const cur = jobProgressRow(db, job.id)
    control.advance(have - cur.done, 0)
    const errors: string[] = []
    for (const item of pendingJobItems(db, job.id, 0, 1_000_000)) {
      if (control.signal.aborted) return
      const f = byPath.get(item.key)
      if (!f) continue
      try {
        await downloadFile(p, f, control.signal, (n) => control.advance(n, 0))
        markJobItem(db, job.id, item.seq, 'done')
      } catch (err) {
        if (control.signal.aborted) return
        const msg = describeError(err)
        markJobItem(db, job.id, item.seq, 'failed', msg)
        errors.push(msg)
      }
    }
    if (errors.length)
      throw new GlossaError(
        'IO_ERROR',
        `${errors.length} file(s) of ${p.repoId} failed: ${errors.join('; ')}`
      )
    const counts = countJobItems(db, job.id)
    if (counts.pending > 0) return
    control.setPhase('register')
    await addModel(ctx, hostOf(ctx), p.dir, { repoId: p.repoId, name: p.repoId })
  }
}
