/**
 * Issue 14: the core in its own thread.
 *  - host.latency: browser mode (`startServer` over the core host, as `glossa serve` runs) answers
 *    a static GET of the studio shell while a regex bulk.apply rewrites the captions of a
 *    100,000-image library (20,000 with --quick). The p99 of those requests during the job is
 *    compared with the p99 of the same requests while the library sits idle (target: ≤ 2× idle
 *    and ≤ 25 ms). The latency of a light API call (datasets.list) during the job, which waits
 *    for the core thread between the job's slices, is in the details.
 *  - host.throughput: the same apply job run through the host against the same job run in
 *    process (createCore on the calling thread, the architecture before the host); the figure is
 *    host time / in-process time (target ≤ 1/0.9: throughput at least 0.9× of in process).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { createCore, type Core } from '../src-main/core'
import { startCore } from '../src-main/core/host/client'
import { startServer } from '../src-main/server'
import type { BulkOp } from '../src-main/shared/api'
import { figure, round, type Benchmark, type BenchContext, type Figure } from './types'
import { elapsedMs, REPO_DIR, seededCopy, summarize } from './util'

const RENDERER_DIR = path.join(REPO_DIR, 'out', 'renderer')
const OP: BulkOp = {
  kind: 'replace',
  find: '(一只|一位|a |an )',
  replace: '$1【】',
  regex: true,
  caseInsensitive: false,
  widthInsensitive: false,
  langs: ['zh', 'en'],
  source: 'caption'
}

function get(port: number, urlPath: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume()
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${urlPath}: ${res.statusCode}`))
          else resolve(elapsedMs(t0))
        })
      }
    )
    req.on('error', reject)
  })
}

function post(port: number, method: string, body: unknown, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body))
    const t0 = performance.now()
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/${method}`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': data.length
        }
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`POST ${method}: ${res.statusCode}`))
          else resolve(elapsedMs(t0))
        })
      }
    )
    req.on('error', reject)
    req.end(data)
  })
}

/** Requests one after another, `gapMs` apart, until `until` resolves (or `count` are done). */
async function probe(
  one: () => Promise<number>,
  gapMs: number,
  stop: { done: boolean; count?: number }
): Promise<number[]> {
  const out: number[] = []
  while (!stop.done && (stop.count === undefined || out.length < stop.count)) {
    out.push(await one())
    await new Promise((r) => setTimeout(r, gapMs))
  }
  return out
}

async function applyJob(core: Core): Promise<{ ms: number; changed: number }> {
  const datasetId = (await core.call('datasets.list', {}))[0]!.id
  const t0 = performance.now()
  const r = await core.call('bulk.apply', { selection: { datasetId, filter: {} }, op: OP })
  let changed = r.changed ?? 0
  if (r.jobId !== null) {
    const job = await core.waitForJob(r.jobId)
    if (job.status !== 'done') throw new Error(`bulk job ${job.status}: ${job.error}`)
    changed = (await core.call('jobs.get', { id: r.jobId })).items?.done ?? 0
  }
  return { ms: elapsedMs(t0), changed }
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html')))
    throw new Error('out/renderer is missing: run `npm run build` first')
  const n = ctx.quick ? 20_000 : 100_000

  // In process (the architecture before the host): the same job on its own copy.
  const inLib = await seededCopy(ctx, n, 17, 'inprocess.sqlite')
  const inCore = createCore({ dataDir: ctx.tmpDir, libraryFile: inLib, actor: 'bench' })
  let inProcess: { ms: number; changed: number }
  try {
    inProcess = await applyJob(inCore)
  } finally {
    await inCore.close()
  }
  ctx.log(`host: in-process apply ${round(inProcess.ms / 1000, 2)} s (${inProcess.changed} images)`)

  const lib = await seededCopy(ctx, n, 17, 'hosted.sqlite')
  const core = await startCore({ dataDir: ctx.tmpDir, libraryFile: lib, actor: 'bench' })
  const server = await startServer({ core, rendererDir: RENDERER_DIR, log: () => undefined })
  try {
    const shell = (): Promise<number> => get(server.port, '/', server.token)
    const api = (): Promise<number> => post(server.port, 'datasets.list', {}, server.token)
    for (let i = 0; i < 20; i++) await shell()
    const idle = await probe(shell, 5, { done: false, count: ctx.quick ? 200 : 500 })
    const idleApi = await probe(api, 5, { done: false, count: 50 })

    const stop = { done: false }
    const during = probe(shell, 5, stop)
    const duringApi = probe(api, 50, stop)
    const hosted = await applyJob(core).finally(() => {
      stop.done = true
    })
    const busy = await during
    const busyApi = await duringApi
    const idleS = summarize(idle)
    const busyS = summarize(busy)
    const apiBusy = summarize(busyApi)
    ctx.log(
      `host: shell GET p99 idle ${round(idleS.p99, 2)} ms, during apply ${round(busyS.p99, 2)} ms (${busy.length} requests); apply through the host ${round(hosted.ms / 1000, 2)} s; datasets.list during apply p50 ${round(apiBusy.p50, 1)} p99 ${round(apiBusy.p99, 1)} ms`
    )
    const latency = figure({
      id: 'host.latency',
      description: `p99 latency of a static GET of the studio shell in browser mode while bulk.apply rewrites the captions of ${n} images in the core host`,
      measured: { name: 'shell GET p99 during the apply', value: round(busyS.p99, 2), unit: 'ms' },
      reference: {
        name: 'shell GET p99 with the library idle',
        value: round(idleS.p99, 2),
        unit: 'ms'
      },
      target: { of: 'ratio', max: 2 },
      details: {
        absoluteTargetMs: 25,
        absoluteMet: busyS.p99 <= 25,
        idle: idleS,
        during: busyS,
        requestsDuring: busy.length,
        apiDatasetsListIdle: summarize(idleApi),
        apiDatasetsListDuring: apiBusy,
        images: n
      }
    })
    const throughput = figure({
      id: 'host.throughput',
      description: `the same bulk.apply job over ${n} images through the core host vs in process on the calling thread`,
      measured: { name: 'apply through the host', value: round(hosted.ms / 1000, 2), unit: 's' },
      reference: { name: 'apply in process', value: round(inProcess.ms / 1000, 2), unit: 's' },
      target: { of: 'ratio', max: round(1 / 0.9, 3) },
      details: { changedHosted: hosted.changed, changedInProcess: inProcess.changed }
    })
    return [latency, throughput]
  } finally {
    await server.close()
    await core.close()
  }
}

export const hostBench: Benchmark = {
  name: 'host',
  issue: 14,
  description: 'the core host thread: browser-mode latency during a bulk apply, and its throughput',
  run
}
