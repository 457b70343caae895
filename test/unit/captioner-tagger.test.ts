import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelError } from '../../src-main/core/captioning/inference/errors'
import {
  checkLabelsMatch,
  displayTag,
  mcutThreshold,
  readSelectedTags,
  selectTags,
  validateTaggerIO,
  type TagLabel
} from '../../src-main/core/captioning/inference/tagger'
import { FIXTURE_TAGS, expectedScore, selectedTagsCsv } from '../fixtures/models/make-tagger'

let dir: string
let labels: TagLabel[]
const RED = { r: 255, g: 0, b: 0 }
const GREEN = { r: 0, g: 255, b: 0 }
const BLUE = { r: 0, g: 0, b: 255 }
const probsFor = (rgb: { r: number; g: number; b: number }): Float32Array =>
  Float32Array.from(FIXTURE_TAGS.map((t) => expectedScore(t.name, rgb)))
const names = (tags: { tag: string }[]): string[] => tags.map((t) => t.tag)

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'glossa-tagger-unit-'))
  await writeFile(path.join(dir, 'selected_tags.csv'), selectedTagsCsv())
  labels = await readSelectedTags(path.join(dir, 'selected_tags.csv'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('selected_tags.csv', () => {
  it('reads names and maps categories 9/0/4 to rating/general/character', () => {
    expect(labels).toHaveLength(FIXTURE_TAGS.length)
    expect(labels.slice(0, 4).every((l) => l.kind === 'rating')).toBe(true)
    expect(labels.find((l) => l.name === '^_^')?.kind).toBe('general')
    expect(labels.find((l) => l.name === 'kaito_(vocaloid)')?.kind).toBe('character')
  })

  it('rejects a CSV without the category column, naming the file', async () => {
    const f = path.join(dir, 'bad.csv')
    await writeFile(f, 'tag_id,name\n1,red\n')
    await expect(readSelectedTags(f)).rejects.toThrow(`${f} lacks the column "category"`)
  })

  it('rejects a missing CSV with a clear error', async () => {
    const f = path.join(dir, 'nope.csv')
    await expect(readSelectedTags(f)).rejects.toBeInstanceOf(ModelError)
    await expect(readSelectedTags(f)).rejects.toThrow(/nope\.csv cannot be read \(ENOENT\)/)
  })
})

describe('validateTaggerIO', () => {
  const out = [{ name: 'output', shape: ['batch', 14], type: 'float32' }]
  it('reads names, size and a dynamic or fixed batch', () => {
    const dyn = validateTaggerIO('m.onnx', [{ name: 'input', shape: ['batch', 448, 448, 3] }], out)
    expect(dyn).toEqual({
      inputName: 'input',
      outputName: 'output',
      inputSize: 448,
      batch: 'dynamic',
      numTags: 14
    })
    const fixed = validateTaggerIO('m.onnx', [{ name: 'input_1:0', shape: [1, 448, 448, 3] }], out)
    expect(fixed.batch).toBe(1)
    expect(fixed.inputName).toBe('input_1:0')
  })
  it('rejects NCHW inputs and non-rank-2 outputs, naming the file', () => {
    expect(() =>
      validateTaggerIO('x/model.onnx', [{ name: 'pixel_values', shape: ['b', 3, 448, 448] }], out)
    ).toThrow(/x\/model\.onnx input "pixel_values" has shape \[b, 3, 448, 448\].*NCHW/)
    expect(() =>
      validateTaggerIO(
        'x/model.onnx',
        [{ name: 'input', shape: ['b', 448, 448, 3] }],
        [{ name: 'image', shape: ['b', 3, 448, 448] }]
      )
    ).toThrow(/output "image" has shape .*\[batch, tags\]/)
  })
  it('requires the CSV row count to equal the output width', () => {
    const io = validateTaggerIO('m.onnx', [{ name: 'input', shape: [1, 448, 448, 3] }], out)
    expect(() => checkLabelsMatch('t.csv', labels.slice(0, 12), io)).toThrow(
      't.csv has 12 tags but the model outputs 14 scores'
    )
    expect(() => checkLabelsMatch('t.csv', labels, io)).not.toThrow()
  })
})

describe('mcutThreshold', () => {
  it('cuts at the midpoint of the largest gap', () => {
    expect(mcutThreshold([0.1, 0.9, 0.85, 0.2])).toBeCloseTo(0.525, 10)
    expect(mcutThreshold([0.99, 0.88, 0.45, 0.12, 0.02])).toBeCloseTo((0.88 + 0.45) / 2, 10)
    expect(mcutThreshold([0.7])).toBe(0)
  })
})

describe('selectTags', () => {
  it('applies default thresholds, drops ratings, orders character first then by score', () => {
    const red = selectTags(probsFor(RED), labels)
    expect(names(red)).toEqual(['red', 'red theme', 'warm'])
    expect(red[0]!.score).toBeCloseTo(expectedScore('red', RED), 6)
    const green = selectTags(probsFor(GREEN), labels)
    expect(names(green)).toEqual(['hatsune miku', 'green', '^_^'])
    expect(green[0]!.kind).toBe('character')
    // blue_spirit scores 0.62: under the 0.85 character default
    expect(names(selectTags(probsFor(BLUE), labels))).toEqual(['kaito (vocaloid)', 'blue'])
  })

  it('honours per-category thresholds (>= test; > 1 disables)', () => {
    const p = probsFor(BLUE)
    expect(names(selectTags(p, labels, { characterThreshold: 0.5 }))).toEqual([
      'kaito (vocaloid)',
      'blue spirit',
      'blue'
    ])
    expect(names(selectTags(p, labels, { characterThreshold: 1.1 }))).toEqual(['blue'])
    const warm = expectedScore('warm', RED)
    expect(names(selectTags(probsFor(RED), labels, { generalThreshold: warm }))).toContain('warm')
    expect(names(selectTags(probsFor(RED), labels, { generalThreshold: 0.5 }))).toEqual([
      'red',
      'red theme'
    ])
  })

  it('MCut drops tags under the largest gap', () => {
    expect(names(selectTags(probsFor(RED), labels, { generalMcut: true }))).toEqual([
      'red',
      'red theme'
    ])
    // characters: 0.88, 0.62, ~0 → threshold 0.31, so both blue characters survive
    expect(names(selectTags(probsFor(BLUE), labels, { characterMcut: true }))).toEqual([
      'kaito (vocaloid)',
      'blue spirit',
      'blue'
    ])
  })

  it('keeps the top rating first when asked', () => {
    const red = selectTags(probsFor(RED), labels, { rating: 'top' })
    expect(red[0]).toMatchObject({ tag: 'sensitive', kind: 'rating' })
    expect(selectTags(probsFor(GREEN), labels, { rating: 'top' })[0]!.tag).toBe('general')
  })

  it('replaces underscores except in kaomoji, or keeps them when disabled', () => {
    expect(displayTag('red_theme', true)).toBe('red theme')
    expect(displayTag('^_^', true)).toBe('^_^')
    expect(displayTag('>_<', true)).toBe('>_<')
    expect(names(selectTags(probsFor(RED), labels, { replaceUnderscores: false }))).toContain(
      'red_theme'
    )
  })

  it('excludes tags written with underscores or spaces, any case', () => {
    expect(names(selectTags(probsFor(RED), labels, { exclude: ['red_theme'] }))).toEqual([
      'red',
      'warm'
    ])
    expect(names(selectTags(probsFor(RED), labels, { exclude: ['Red Theme', 'WARM'] }))).toEqual([
      'red'
    ])
    expect(names(selectTags(probsFor(GREEN), labels, { exclude: ['^_^'] }))).toEqual([
      'hatsune miku',
      'green'
    ])
  })

  it("keeps CSV order within a group with order: 'csv'", () => {
    // scores on this colour: white_background > red > warm, CSV order is red, warm, white_background
    const p = probsFor({ r: 255, g: 200, b: 200 })
    const byScore = names(selectTags(p, labels, { generalThreshold: 0.01 }))
    const byCsv = names(selectTags(p, labels, { generalThreshold: 0.01, order: 'csv' }))
    expect(byCsv).toEqual(
      labels
        .filter((l) => l.kind === 'general')
        .map((l) => displayTag(l.name, true))
        .filter((n) => byScore.includes(n))
    )
    expect(byScore).not.toEqual(byCsv)
  })
})
