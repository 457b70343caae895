import type { Database } from 'better-sqlite3'
import type { HandlerMap } from '../context'

export function readSetting(db: Database, key: string): unknown {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
    { value: string } | undefined
  return row ? (JSON.parse(row.value) as unknown) : null
}

export function writeSetting(db: Database, key: string, value: unknown): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
  ).run(key, JSON.stringify(value))
}

export const settingsHandlers = {
  'settings.get': (ctx, a) => ({ key: a.key, value: readSetting(ctx.db, a.key) }),
  'settings.set': (ctx, a) => {
    writeSetting(ctx.db, a.key, a.value)
    return { key: a.key, value: a.value }
  }
} satisfies Partial<HandlerMap>
