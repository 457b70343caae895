/** Online backups of the library with a retention rule. */
import fs from 'node:fs'
import path from 'node:path'
import type { CoreContext } from '../context'
import { GlossaError } from '../../shared/errors'

/** Backups are named `library-YYYYMMDD-HHMMSS-mmmZ.sqlite` (UTC), so names sort by time. */
const BACKUP_RE = /^library-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(\d{3})Z\.sqlite$/

export function backupName(t: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `library-${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}-${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}-${p(t.getUTCMilliseconds(), 3)}Z.sqlite`
}

/** The time encoded in a backup's name, or null for files that are not Glossa backups. */
export function backupTime(name: string): number | null {
  const m = BACKUP_RE.exec(name)
  if (!m) return null
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[]
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!)
}

export interface RetentionRule {
  /** always keep this many newest backups */
  keepLast: number
  /** plus the newest backup of each of the last N days (UTC days, counted back from `now`) */
  dailyDays: number
}
export const DEFAULT_RETENTION: RetentionRule = { keepLast: 10, dailyDays: 7 }

const DAY = 86_400_000

/**
 * Pure retention rule: keeps the `keepLast` newest backups, plus the newest backup of each UTC
 * day among the last `dailyDays` days (today included); everything else is removed. Files whose
 * names are not backup names are never touched.
 */
export function retention(
  names: readonly string[],
  now: number,
  rule: RetentionRule = DEFAULT_RETENTION
): { keep: string[]; remove: string[] } {
  const dated = names
    .map((name) => ({ name, t: backupTime(name) }))
    .filter((b): b is { name: string; t: number } => b.t !== null)
    .sort((a, b) => b.t - a.t || (a.name < b.name ? 1 : -1))
  const keep = new Set(dated.slice(0, rule.keepLast).map((b) => b.name))
  const today = Math.floor(now / DAY)
  const seenDays = new Set<number>()
  for (const b of dated) {
    const day = Math.floor(b.t / DAY)
    if (today - day >= rule.dailyDays || day > today || seenDays.has(day)) continue
    seenDays.add(day)
    keep.add(b.name)
  }
  return {
    keep: dated.filter((b) => keep.has(b.name)).map((b) => b.name),
    remove: dated.filter((b) => !keep.has(b.name)).map((b) => b.name)
  }
}

/**
 * Online backup (SQLite's backup API through better-sqlite3: consistent while the library stays
 * in use) into backupDir under a temporary name, renamed into place when complete, then the
 * retention rule.
 */
export async function backupLibrary(
  ctx: CoreContext,
  rule: RetentionRule = DEFAULT_RETENTION
): Promise<{ file: string; kept: number; removed: string[] }> {
  await fs.promises.mkdir(ctx.backupDir, { recursive: true })
  let now = new Date()
  let name = backupName(now)
  while (fs.existsSync(path.join(ctx.backupDir, name))) {
    now = new Date(now.getTime() + 1)
    name = backupName(now)
  }
  const file = path.join(ctx.backupDir, name)
  const tmp = `${file}.partial`
  try {
    await ctx.db.backup(tmp)
    await fs.promises.rename(tmp, file)
  } catch (err) {
    await fs.promises.rm(tmp, { force: true })
    throw new GlossaError(
      'IO_ERROR',
      `backup to ${file} failed: ${err instanceof Error ? err.message : String(err)}`
    )
  }
  const names = await fs.promises.readdir(ctx.backupDir)
  const { keep, remove } = retention(names, now.getTime(), rule)
  const removed: string[] = []
  for (const n of remove) {
    const p = path.join(ctx.backupDir, n)
    await fs.promises.rm(p, { force: true })
    removed.push(p)
  }
  return { file, kept: keep.length, removed }
}
