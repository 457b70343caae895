import { describe, expect, it } from 'vitest'
import { backupName, backupTime, retention } from '../../src-main/core/library/backup'

const H = 3_600_000
const D = 24 * H
const NOW = Date.UTC(2026, 10, 26, 15, 0, 0)
const at = (t: number) => backupName(new Date(t))

describe('backup names', () => {
  it('round-trip through their timestamp and sort by time', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 6)
    expect(backupName(new Date(t))).toBe('library-20260102-030405-006Z.sqlite')
    expect(backupTime(backupName(new Date(t)))).toBe(t)
    expect(backupTime('library.sqlite')).toBeNull()
    expect(backupTime('library-20260102-030405-006Z.sqlite.partial')).toBeNull()
  })
})

describe('retention', () => {
  it('keeps everything while there are at most keepLast backups', () => {
    const names = Array.from({ length: 10 }, (_, i) => at(NOW - i * 40 * D))
    expect(retention(names, NOW)).toEqual({ keep: names, remove: [] })
  })

  it('keeps the newest 10 plus the newest of each of the last 7 days', () => {
    // 12 backups an hour apart today (the last 10 are kept, 2 go), then 3 a day for 10 days back
    const today = Array.from({ length: 12 }, (_, i) => at(NOW - i * H))
    const older: string[][] = []
    for (let d = 1; d <= 10; d++)
      older.push([at(NOW - d * D + 2 * H), at(NOW - d * D + H), at(NOW - d * D)])
    const { keep, remove } = retention([...older.flat(), ...today].reverse(), NOW)
    const daily = older.slice(0, 6).map((day) => day[0]!) // days 1..6 back: 7 days with today
    expect(keep).toEqual([...today.slice(0, 10), ...daily])
    expect(remove).toHaveLength(today.length + older.flat().length - keep.length)
    expect(remove).toEqual(
      expect.arrayContaining([today[10], today[11], older[0]![1], older[6]![0], older[9]![2]])
    )
    // keep is newest first
    const times = keep.map((n) => backupTime(n)!)
    expect([...times].sort((a, b) => b - a)).toEqual(times)
  })

  it('never touches files that are not backups, and honours a custom rule', () => {
    const names = ['notes.txt', 'library-x.sqlite', at(NOW), at(NOW - H), at(NOW - 2 * H)]
    const { keep, remove } = retention(names, NOW, { keepLast: 1, dailyDays: 1 })
    expect(keep).toEqual([at(NOW)])
    expect(remove).toEqual([at(NOW - H), at(NOW - 2 * H)])
  })
})
