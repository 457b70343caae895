import { describe, expect, it } from 'vitest'
import { writeSlices, type WriteRecord } from '../../src-main/core/captioning/job'

const tagged = (seq: number, n: number): WriteRecord => ({
  kind: 'outcome',
  seq,
  outcome: {
    id: seq,
    ok: true,
    tags: Array.from({ length: n }, (_, i) => ({ tag: `t${i}`, score: 0.5, kind: 'general' })),
    text: null,
    fields: null,
    prompt: null,
    rendered: null,
    knowledge: []
  }
})
const failed = (seq: number): WriteRecord => ({ kind: 'mark', seq, status: 'failed', error: 'x' })

describe('writeSlices (caption job write transactions)', () => {
  it('keeps every record once, in order, a few per transaction', () => {
    const records = [failed(1), ...Array.from({ length: 9 }, (_, i) => tagged(i + 2, 10))]
    const slices = writeSlices(records)
    expect(slices.flat().map((r) => r.seq)).toEqual(records.map((r) => r.seq))
    expect(slices.map((s) => s.length)).toEqual([4, 4, 2])
  })

  it('closes a transaction early when it writes many tags, never splitting an image', () => {
    const slices = writeSlices([tagged(1, 100), tagged(2, 200), tagged(3, 5000), tagged(4, 1)])
    expect(slices.map((s) => s.map((r) => r.seq))).toEqual([[1, 2], [3], [4]])
    expect(writeSlices([])).toEqual([])
  })
})
