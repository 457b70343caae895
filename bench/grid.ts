/**
 * Issue 2: the grid's page query (100 rows, filtered and sorted, keyed cursors) and a
 * 2-character Chinese substring search on a 100,000-image library, through core.call as the app
 * calls them; reference: a bare `SELECT … FROM images WHERE rowid > ? LIMIT 100` on the same file.
 */
import Database from 'better-sqlite3'
import { createCore, type Core } from '../src-main/core'
import { SORT_KEYS, type ImageFilter, type Page, type Sort } from '../src-main/shared/api'
import { isAllCjk } from '../src-main/core/captions/text/cjk'
import { CONCEPTS, ZH_BACKGROUNDS, ZH_STYLES, ZH_SUBJECTS } from '../test/db/helpers'
import { figure, type Benchmark, type Figure } from './types'
import { elapsedMs, pick, prng, seededCopy, summarize, type Summary } from './util'

interface GridCase {
  filter: ImageFilter
  sort: Sort
  cursors: (string | null)[]
}

function randomFilter(rnd: () => number, datasetId: number): ImageFilter {
  const f: ImageFilter = { datasetId }
  const r = rnd()
  if (r < 0.3) f.status = [pick(rnd, ['unreviewed', 'approved', 'rejected', 'needs-work'] as const)]
  else if (r < 0.45) f.status = ['approved', 'needs-work']
  else if (r < 0.6) f.concept = pick(rnd, CONCEPTS)
  else if (r < 0.7) f.missing = pick(rnd, ['zh', 'en', 'any'] as const)
  else if (r < 0.8) f.hasError = false
  return f
}

/** Walks a few pages of each case to collect real cursors at various depths. */
async function buildCases(
  core: Core,
  rnd: () => number,
  datasetId: number,
  count: number
): Promise<GridCase[]> {
  const cases: GridCase[] = []
  for (let i = 0; i < count; i++) {
    const sort: Sort = { key: SORT_KEYS[i % SORT_KEYS.length]!, dir: rnd() < 0.5 ? 'asc' : 'desc' }
    const filter = randomFilter(rnd, datasetId)
    const cursors: (string | null)[] = [null]
    let cursor: string | null = null
    for (let p = 0; p < 25; p++) {
      const page: Page = await core.call('images.page', {
        filter,
        sort,
        cursor,
        limit: 1000,
        withTotal: false
      })
      if (!page.nextCursor) break
      cursors.push(page.nextCursor)
      cursor = page.nextCursor
    }
    cases.push({ filter, sort, cursors })
  }
  return cases
}

/** Every 2-character, all-Han substring of the seed phrases: the queries annotators type. */
function twoCharQueries(): string[] {
  const set = new Set<string>()
  for (const phrase of [...ZH_SUBJECTS, ...ZH_BACKGROUNDS, ...ZH_STYLES]) {
    const chars = [...phrase]
    for (let i = 0; i + 1 < chars.length; i++) {
      const q = chars[i]! + chars[i + 1]!
      if (isAllCjk(q)) set.add(q)
    }
  }
  // a few that match nothing, as real searches often do
  for (const q of ['火箭', '鲸鱼', '沙漠']) set.add(q)
  return [...set]
}

async function timeCalls(
  runs: number,
  fn: (i: number) => Promise<unknown> | unknown
): Promise<number[]> {
  for (let i = 0; i < Math.min(20, runs); i++) await fn(i)
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn(i)
    out.push(elapsedMs(t0))
  }
  return out
}

function ms(name: string, s: Summary) {
  return { name, value: s.p95, unit: 'ms' }
}

export const gridQueries: Benchmark = {
  name: 'grid',
  issue: 2,
  description: 'grid page and 2-character Chinese search latency on a large library',
  async run(ctx): Promise<Figure[]> {
    const n = ctx.quick ? 20_000 : 100_000
    const runs = ctx.quick ? 100 : 200
    const lib = await seededCopy(ctx, n, 7)
    const core = createCore({ dataDir: ctx.tmpDir, libraryFile: lib })
    const bare = new Database(lib, { readonly: true })
    try {
      const ds = (await core.call('datasets.list', {}))[0]
      if (!ds) throw new Error('seeded library has no dataset')
      const rnd = prng(42)
      ctx.log(`grid: ${ds.images} images; collecting cursors…`)
      const cases = await buildCases(core, rnd, ds.id, 16)

      const refStmt = bare.prepare(
        'SELECT id, dataset_id, file_name, rel_path, folder, concept, status, width, height FROM images WHERE rowid > ? LIMIT 100'
      )
      const maxId = (bare.prepare('SELECT MAX(id) AS m FROM images').get() as { m: number }).m
      const refRnd = prng(1)
      const ref = summarize(
        await timeCalls(runs, () => refStmt.all(Math.floor(refRnd() * Math.max(1, maxId - 100))))
      )

      const pageCall = (withTotal: boolean) => {
        const r = prng(withTotal ? 2 : 3)
        return () => {
          const c = pick(r, cases)
          return core.call('images.page', {
            filter: c.filter,
            sort: c.sort,
            cursor: pick(r, c.cursors),
            limit: 100,
            withTotal
          })
        }
      }
      const page = summarize(await timeCalls(runs, pageCall(false)))
      const pageTotal = summarize(await timeCalls(runs, pageCall(true)))

      const queries = twoCharQueries()
      const searchCall = (withTotal: boolean) => {
        const r = prng(withTotal ? 4 : 5)
        return () => {
          const sort: Sort = {
            key: pick(r, ['name', 'added', 'status'] as const),
            dir: r() < 0.5 ? 'asc' : 'desc'
          }
          return core.call('images.page', {
            filter: { datasetId: ds.id, search: pick(r, queries) },
            sort,
            cursor: null,
            limit: 100,
            withTotal
          })
        }
      }
      const search = summarize(await timeCalls(runs, searchCall(false)))
      const searchTotal = summarize(await timeCalls(runs, searchCall(true)))
      ctx.log(
        `  page p95 ${page.p95} ms (with total ${pageTotal.p95}), search p95 ${search.p95} ms (with total ${searchTotal.p95}), bare select p95 ${ref.p95} ms`
      )

      const refM = {
        name: 'bare SELECT … WHERE rowid > ? LIMIT 100 (p95)',
        value: ref.p95,
        unit: 'ms'
      }
      const common = { images: ds.images, runs, reference: ref }
      return [
        figure({
          id: 'grid.page',
          description: `grid page of 100 rows (random filter, sort and cursor; no total) on ${n} images, via core.call`,
          measured: ms('images.page p95', page),
          reference: refM,
          target: { of: 'value', max: 5 },
          details: { ...common, measured: page, cases: cases.length }
        }),
        figure({
          id: 'grid.pageWithTotal',
          description: `the same grid page with the filter's total count (withTotal: true, the default)`,
          measured: ms('images.page with total p95', pageTotal),
          reference: refM,
          target: { of: 'value', max: 5 },
          details: { ...common, measured: pageTotal }
        }),
        figure({
          id: 'search.zh2',
          description: `first page of a 2-character Chinese substring search (${queries.length} distinct queries) on ${n} images`,
          measured: ms('images.page search p95', search),
          reference: refM,
          target: { of: 'value', max: 50 },
          details: { ...common, measured: search, sampleQueries: queries.slice(0, 8) }
        }),
        figure({
          id: 'search.zh2WithTotal',
          description: 'the same search with the total number of matches',
          measured: ms('images.page search with total p95', searchTotal),
          reference: refM,
          target: { of: 'value', max: 50 },
          details: { ...common, measured: searchTotal }
        })
      ]
    } finally {
      bare.close()
      await core.close()
    }
  }
}
