import type { JobItemCounts } from '../../shared/api'
import type { HandlerMap } from '../context'
import { failedJobItems, jobItemsByStatus } from './runner'

export const jobsHandlers = {
  'jobs.list': (ctx, a) => ctx.jobs.list(a.status ?? [], a.limit),
  'jobs.get': (ctx, a) => {
    const job = ctx.jobs.info(a.id)
    const items: JobItemCounts = { pending: 0, done: 0, skipped: 0, failed: 0 }
    for (const r of jobItemsByStatus(ctx.db, a.id))
      if (Object.hasOwn(items, r.status)) items[r.status as keyof JobItemCounts] = r.n
    return { ...job, items }
  },
  'jobs.cancel': (ctx, a) => ctx.jobs.cancel(a.id),
  'jobs.resume': (ctx, a) => ctx.jobs.resume(a.id),
  'jobs.errors': (ctx, a) => {
    ctx.jobs.info(a.id)
    const items = failedJobItems(ctx.db, a.id, a.afterSeq, a.limit + 1)
    const more = items.length > a.limit
    const page = items
      .slice(0, a.limit)
      .map((i) => ({ seq: i.seq, key: i.key, error: i.error ?? '' }))
    return { items: page, nextSeq: more ? page[page.length - 1]!.seq : null }
  }
} satisfies Partial<HandlerMap>
