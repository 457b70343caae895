import type { HandlerMap } from '../context'
import { listHistory } from '../db/journal'
import { historyStep } from '../jobs/undo'

export const historyHandlers = {
  'history.undo': (ctx) => historyStep(ctx, 'undo'),
  'history.redo': (ctx) => historyStep(ctx, 'redo'),
  'history.list': (ctx, a) => listHistory(ctx.db, a.limit)
} satisfies Partial<HandlerMap>
