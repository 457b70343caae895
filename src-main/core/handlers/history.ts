import type { HandlerMap } from '../context'
import { listHistory, redo, undo } from '../db/journal'

export const historyHandlers = {
  'history.undo': (ctx) => undo(ctx),
  'history.redo': (ctx) => redo(ctx),
  'history.list': (ctx, a) => listHistory(ctx.db, a.limit)
} satisfies Partial<HandlerMap>
