/**
 * The built-in cleanup rules run in linear time in practice: adversarial captions of 100,000
 * characters (long runs of what the rules' patterns look for, without the end they need) go
 * through every preset within seconds. Quadratic behaviour (a pattern rescanning a run from each
 * position, a seam re-copying the caption at each removal, comparing every pair of tags) takes
 * minutes at this size, so the generous budget catches it on a busy machine without being a speed
 * test.
 */
import { describe, expect, it } from 'vitest'
import {
  PRESET_IDS,
  compilePipeline,
  contentUnits,
  presetSteps,
  runItem
} from '../../src-main/core/cleanup'

const N = 100_000
const BUDGET_MS = 6000

/** name → a unit repeated to N characters */
const ADVERSARIAL: Record<string, string> = {
  'dotted run (a.a.a…)': 'a.',
  'domain labels without a path': 'ab.com.',
  'mentions back to back': '@a',
  'closed hashtags back to back': '#中',
  'scheme after scheme': 'http://a',
  'full-width commas': '，',
  'tag separators': 'a, ',
  'dashes before names (tweet signatures)': '— Aa ',
  'labels without values': '图片来源：',
  'pipes between segments': ' | ',
  'unclosed quotes and brackets': '"(',
  'phrases without their end': 'Image of ',
  'every kind of noise': 'Photo: @a #b www.c © 侵删 | 小红书 | [OC] 😍 ',
  'long words with underscores': 'a_b_c_'
}

describe(`cleanup is linear: ${N.toLocaleString('en')}-character adversarial captions`, () => {
  const all = compilePipeline({ steps: presetSteps(...PRESET_IDS) })
  for (const [name, unit] of Object.entries(ADVERSARIAL)) {
    it(name, () => {
      const s = unit.repeat(Math.ceil(N / unit.length))
      const t0 = performance.now()
      const r = runItem({ id: 1, zh: s, en: s, tags: [s] }, all)
      contentUnits(s)
      const ms = performance.now() - t0
      expect(typeof r.zh).toBe('string')
      expect(ms, `${name}: ${Math.round(ms)} ms`).toBeLessThan(BUDGET_MS)
    })
  }
})
