/**
 * The noisy-caption corpus (test/fixtures/cleanup/noisy-captions.json, conventions in README.md
 * beside it): every caption comes out as expected, exactly the listed rules fire (and no other),
 * the guard holds back exactly the listed ones, the preview counts what apply writes, and a
 * second run over the results changes nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  PRESETS,
  PRESET_IDS,
  RULES,
  compilePipeline,
  presetSteps,
  previewCleanup,
  runItem
} from '../../src-main/core/cleanup'
import type { CleanupItem, CompiledPipeline, Field, PresetId } from '../../src-main/core/cleanup'

interface Entry {
  id: string
  source: string
  lang: 'zh' | 'en' | 'mixed'
  field: Field
  input: string
  expected: string
  rules: string[]
  held?: string[]
  unguarded?: string
  note?: string
}

interface Corpus {
  about: string
  pipelines: Record<Field, PresetId[]>
  captions: Entry[]
}

const FILE = path.join(__dirname, '../fixtures/cleanup/noisy-captions.json')
const corpus = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Corpus
const SOURCES = [
  'weibo',
  'xiaohongshu',
  'douyin',
  'baidu',
  'stock',
  'pinterest',
  'reddit',
  'twitter',
  'danbooru'
]

const pipelines = Object.fromEntries(
  (Object.keys(corpus.pipelines) as Field[]).map((f) => [
    f,
    compilePipeline({ steps: presetSteps(...corpus.pipelines[f]) })
  ])
) as Record<Field, CompiledPipeline>

/** One entry as an item: the caption in its field, the other fields empty. */
function item(e: Entry, n: number): CleanupItem {
  return {
    id: n,
    zh: e.field === 'zh' ? e.input : '',
    en: e.field === 'en' ? e.input : '',
    // one element: its ", "-joined form is the input exactly, as the tag rules see it
    tags: e.field === 'tags' ? [e.input] : []
  }
}

function fieldOf(r: { zh: string; en: string; tags: string[] }, f: Field): string {
  return f === 'tags' ? r.tags.join(', ') : r[f]
}

describe('noisy-caption corpus: shape', () => {
  it('has at least 200 captions, 20 or more from every source, zh, en and mixed, unique ids', () => {
    const { captions } = corpus
    expect(captions.length).toBeGreaterThanOrEqual(200)
    expect(new Set(captions.map((c) => c.id)).size).toBe(captions.length)
    for (const s of SOURCES) {
      expect(captions.filter((c) => c.source === s).length, s).toBeGreaterThanOrEqual(20)
    }
    expect(new Set(captions.map((c) => c.source))).toEqual(new Set(SOURCES))
    for (const lang of ['zh', 'en', 'mixed'])
      expect(captions.some((c) => c.lang === lang)).toBe(true)
  })

  it('names only rules of the pipeline that runs on the field, and has hard negatives', () => {
    for (const c of corpus.captions) {
      const ids = new Set(pipelines[c.field].steps.map((s) => s.id))
      for (const r of [...c.rules, ...(c.held ?? [])])
        expect(ids.has(r), `${c.id}: ${r}`).toBe(true)
      expect(c.held === undefined || c.unguarded !== undefined, c.id).toBe(true)
    }
    const untouched = corpus.captions.filter((c) => c.input === c.expected && !c.held)
    expect(untouched.length).toBeGreaterThanOrEqual(30)
  })

  it('makes every web-scrape and tag-hygiene rule fire somewhere (except option-driven ones)', () => {
    const fired = new Set(corpus.captions.flatMap((c) => c.rules))
    const optionDriven = new Set(['tags-blacklist', 'tags-whitelist', 'tags-replace', 'html-tags'])
    for (const id of [...PRESETS['web-scrape'], ...PRESETS.tags]) {
      if (id === 'html-entities' || optionDriven.has(id)) continue
      expect(fired.has(id), id).toBe(true)
    }
  })
})

describe('noisy-caption corpus: every caption, every rule', () => {
  corpus.captions.forEach((c, n) => {
    it(`${c.id} [${c.source}/${c.field}] ${JSON.stringify(c.input).slice(0, 70)}`, () => {
      const p = pipelines[c.field]
      const r = runItem(item(c, n), p)
      expect(fieldOf(r, c.field)).toBe(c.expected)
      // exactly the listed rules changed the caption; every other rule left it alone
      expect(Object.keys(r.counts).sort()).toEqual([...c.rules].sort())
      expect([...new Set(r.held.map((h) => h.rule))].sort()).toEqual([...(c.held ?? [])].sort())
      if (c.unguarded !== undefined) {
        const u = runItem(item(c, n), p, { guard: false })
        expect(fieldOf(u, c.field)).toBe(c.unguarded)
      }
    })
  })
})

describe('noisy-caption corpus: preview, apply and a second run', () => {
  const items = corpus.captions.map(item)
  const all = compilePipeline({ steps: presetSteps('web-scrape', 'tags') })

  it('counts in the preview what apply writes, rule by rule, and as the corpus lists', () => {
    const preview = previewCleanup(items, all, { limit: 10, diff: false })
    // the apply path: run each item, write the changed ones, add up their counts
    const applied = new Map<string, { count: number; items: number }>()
    let written = 0
    for (const it of items) {
      const r = runItem(it, all)
      if (!r.changed) continue
      written++
      for (const [rule, n] of Object.entries(r.counts)) {
        const t = applied.get(rule) ?? { count: 0, items: 0 }
        t.count += n
        t.items++
        applied.set(rule, t)
      }
    }
    expect(preview.scanned).toBe(items.length)
    expect(preview.changed).toBe(written)
    for (const t of preview.totals) {
      const a = applied.get(t.rule) ?? { count: 0, items: 0 }
      expect({ rule: t.rule, count: t.count, items: t.items }).toEqual({ rule: t.rule, ...a })
      // and the corpus says which captions each rule changes
      expect(t.items, t.rule).toBe(corpus.captions.filter((c) => c.rules.includes(t.rule)).length)
      expect(t.held, t.rule).toBe(
        corpus.captions.filter((c) => (c.held ?? []).includes(t.rule)).length
      )
    }
    expect(preview.changed).toBe(corpus.captions.filter((c) => c.rules.length > 0).length)
    expect(preview.heldItems).toBe(corpus.captions.filter((c) => c.held).length)
    expect(preview.held).toHaveLength(Math.min(10, preview.heldItems))
    expect(preview.items).toHaveLength(10)
  })

  it('changes nothing when run again over its own results, for each preset and for all of them', () => {
    const sets: PresetId[][] = [...PRESET_IDS.map((p) => [p]), [...PRESET_IDS]]
    for (const set of sets) {
      const p = compilePipeline({ steps: presetSteps(...set) })
      const once = items.map((it) => {
        const r = runItem(it, p)
        return { id: it.id, zh: r.zh, en: r.en, tags: r.tags }
      })
      const again = previewCleanup(once, p, { limit: 3 })
      expect(again.changed, `${set.join('+')}: ${JSON.stringify(again.items)}`).toBe(0)
    }
  })

  it('leaves a held field as the held step got it, and names a known rule', () => {
    const heldOnes = corpus.captions.filter((c) => c.held)
    expect(heldOnes.length).toBeGreaterThan(0)
    for (const c of heldOnes) {
      const it = item(c, 0)
      const r = runItem(it, pipelines[c.field])
      expect(r.held.map((h) => h.field)).toContain(c.field)
      for (const h of r.held) expect(fieldOf(r, c.field)).toBe(h.before)
      expect(RULES.has(r.held[0]!.rule)).toBe(true)
    }
  })
})
