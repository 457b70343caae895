import { InvalidArgumentError } from 'commander'
import { REVIEW_STATUSES, SORT_KEYS, type ReviewStatus, type SortKey } from '../shared/api'

/** Option parsers: a bad value is a usage error (exit 2) reported by commander. */

export function parseStatus(value: string): ReviewStatus {
  const v = value.trim().toLowerCase()
  if (!(REVIEW_STATUSES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`expected one of ${REVIEW_STATUSES.join(', ')}`)
  }
  return v as ReviewStatus
}

/** A comma-separated list of review statuses; repeating the option adds to the list. */
export function parseStatusList(value: string, previous: ReviewStatus[] = []): ReviewStatus[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (!list.length) throw new InvalidArgumentError('expected at least one status')
  return [...new Set([...previous, ...list.map(parseStatus)])]
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError('expected a positive whole number')
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive whole number')
  return n
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a port number 0–65535')
  const n = Number(value)
  if (n > 65535) throw new InvalidArgumentError('expected a port number 0–65535')
  return n
}

export function parseSortKey(value: string): SortKey {
  const v = value.trim().toLowerCase()
  if (!(SORT_KEYS as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`expected one of ${SORT_KEYS.join(', ')}`)
  }
  return v as SortKey
}

export function parseMissing(value: string): 'zh' | 'en' | 'any' {
  const v = value.trim().toLowerCase()
  if (v !== 'zh' && v !== 'en' && v !== 'any')
    throw new InvalidArgumentError('expected zh, en or any')
  return v
}
