/**
 * The UI dictionaries: zh-CN has exactly the keys of en (the type checks it at compile time; this
 * checks the objects as shipped), no value is empty, and interpolations match between languages.
 */
import { describe, expect, it } from 'vitest'
import { en } from '@renderer/i18n/en'
import { zhCN } from '@renderer/i18n/zh-CN'

function flatten(o: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v as object, key)) out.set(kk, vv)
  }
  return out
}
const vars = (s: string): string[] => [...s.matchAll(/\{\{\s*([\w]+)/g)].map((m) => m[1]!).sort()

describe('dictionaries', () => {
  const e = flatten(en)
  const z = flatten(zhCN)

  it('have the same keys', () => {
    expect([...z.keys()].sort()).toEqual([...e.keys()].sort())
  })

  it('have no empty strings', () => {
    for (const [k, v] of [...e, ...z]) expect(v.trim(), k).not.toBe('')
  })

  it('use the same interpolation variables in both languages', () => {
    for (const [k, v] of e) expect(vars(z.get(k) ?? ''), k).toEqual(vars(v))
  })
})
