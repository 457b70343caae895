import type { JobInfo, JobItemCounts } from '../../shared/api'
import type { HandlerMap } from '../context'
import { getJob, jobInfoFromRow } from './runner'

export const jobsHandlers = {
  'jobs.list': (ctx, a) => {
    const where = a.status?.length ? `WHERE status IN (${a.status.map(() => '?').join(',')})` : ''
    const rows = ctx.db
      .prepare(`SELECT * FROM jobs ${where} ORDER BY id DESC LIMIT ?`)
      .all(...(a.status ?? []), a.limit) as Parameters<typeof jobInfoFromRow>[0][]
    return rows.map(jobInfoFromRow) satisfies JobInfo[]
  },
  'jobs.get': (ctx, a) => {
    const job = getJob(ctx.db, a.id)
    const rows = ctx.db
      .prepare('SELECT status, COUNT(*) AS n FROM job_items WHERE job_id = ? GROUP BY status')
      .all(a.id) as { status: string; n: number }[]
    const items: JobItemCounts = { pending: 0, done: 0, skipped: 0, failed: 0 }
    for (const r of rows)
      if (Object.hasOwn(items, r.status)) items[r.status as keyof JobItemCounts] = r.n
    return { ...job, items }
  },
  'jobs.cancel': (ctx, a) => ctx.jobs.cancel(a.id),
  'jobs.resume': (ctx, a) => ctx.jobs.resume(a.id),
  'jobs.errors': (ctx, a) => {
    getJob(ctx.db, a.id)
    const items = ctx.db
      .prepare(
        `SELECT seq, key, error FROM job_items WHERE job_id = ? AND status = 'failed' AND seq > ? ORDER BY seq LIMIT ?`
      )
      .all(a.id, a.afterSeq, a.limit + 1) as { seq: number; key: string; error: string | null }[]
    const more = items.length > a.limit
    const page = items
      .slice(0, a.limit)
      .map((i) => ({ seq: i.seq, key: i.key, error: i.error ?? '' }))
    return { items: page, nextSeq: more ? page[page.length - 1]!.seq : null }
  }
} satisfies Partial<HandlerMap>
