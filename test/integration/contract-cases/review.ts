/** Bad-argument cases for the review methods (src-main/shared/contract/review.ts) and history.image/revert (contract/captions.ts). */
const sel = { filter: {} }
const op = { kind: 'status', status: 'approved' }

export const reviewBad: Record<string, unknown[]> = {
  'selection.count': [
    {},
    { selection: {} },
    { selection: { ids: [] } },
    { selection: { ids: ['1'] } },
    { selection: { filter: { status: ['done'] } } },
    { selection: { datasetId: 1, filter: { datasetId: 2 } } },
    { selection: { filter: {}, exclude: [0] } },
    { selection: { ids: [1], filter: {} } },
    { selection: sel, extra: 1 }
  ],
  'bulk.preview': [
    { selection: sel },
    { op },
    { selection: sel, op: { kind: 'explode' } },
    { selection: sel, op: { kind: 'replace', find: '', replace: 'x' } },
    { selection: sel, op: { kind: 'replace', find: 'a', replace: 'b', langs: ['raw'] } },
    { selection: sel, op: { kind: 'replace', find: 'a', replace: 'b', langs: [] } },
    { selection: sel, op: { kind: 'replace', find: 'a', replace: 'b', source: 'file' } },
    { selection: sel, op, limit: 0 },
    { selection: sel, op, limit: 201 },
    { selection: sel, op: { kind: 'status', status: 'done' } }
  ],
  'bulk.apply': [
    {},
    { selection: sel, op: { kind: 'tags.add', tags: [] } },
    { selection: sel, op: { kind: 'tags.add', tags: ['  '] } },
    { selection: sel, op: { kind: 'tags.add', tags: ['a'], position: 'middle' } },
    { selection: sel, op: { kind: 'tags.remove' } },
    { selection: sel, op: { kind: 'tags.rename', from: 'a' } },
    { selection: sel, op: { kind: 'tags.merge', tags: ['a'] } },
    { selection: sel, op: { kind: 'tags.reorder', mode: 'front' } },
    { selection: sel, op: { kind: 'tags.reorder', mode: 'random' } },
    { selection: sel, op: { kind: 'concept' } },
    { selection: sel, op: { kind: 'concept', repeats: 0 } },
    { selection: sel, op: { kind: 'concept', repeats: 1.5 } },
    { selection: sel, op: { kind: 'trigger', word: '' } },
    { selection: sel, op: { kind: 'trigger', word: 'x', position: 'middle' } },
    { selection: sel, op: { kind: 'move' } },
    { selection: sel, op: { kind: 'move', datasetId: 0 } },
    { selection: sel, op: { kind: 'delete', files: true } },
    { selection: sel, op, limit: 5 }
  ],
  'tags.list': [
    { filter: { tag: 'x' } },
    { sort: { key: 'size', dir: 'asc' } },
    { sort: { key: 'count' } },
    { limit: 0 },
    { limit: 10_001 },
    { search: 5 },
    { top: 10 }
  ],
  'tags.rename': [
    {},
    { from: 'a' },
    { from: '', to: 'b' },
    { from: 'a', to: 'b', datasetId: 'x' },
    { from: 'a', to: 'b', scope: 'all' }
  ],
  'tags.merge': [
    {},
    { tags: [], into: 'b' },
    { tags: ['a'] },
    { tags: 'a', into: 'b' },
    { tags: ['a'], into: 'b', datasetId: -1 }
  ],
  'dupes.find': [
    {},
    { datasetId: 'x' },
    { datasetId: 1, threshold: -1 },
    { datasetId: 1, threshold: 13 },
    { datasetId: 1, threshold: 2.5 },
    { datasetId: 1, limit: 0 },
    { datasetId: 1, algorithm: 'dhash' }
  ],
  'dupes.keep': [
    {},
    { keep: [1] },
    { keep: [], others: [2] },
    { keep: [1], others: [] },
    { keep: [1], others: [2], action: 'archive' },
    { keep: ['1'], others: [2] },
    { keep: [1], others: [2], force: true }
  ],
  'dupes.hash': [{ datasetId: 0 }, { redo: 'yes' }, { datasetId: 1, size: 16 }],
  'stats.tags': [{ top: 0 }, { top: 1001 }, { filter: { status: ['x'] } }, { limit: 5 }],
  'stats.captionLengths': [{ filter: { missing: 'fr' } }, { lang: 'zh' }],
  'stats.resolution': [{ maxPoints: 5 }, { maxPoints: 20_001 }, { filter: 1 }, { bins: 4 }],
  'stats.buckets': [
    {},
    { resolution: 1024 },
    { resolution: [1024] },
    { resolution: [1024, 32] },
    { resolution: [1024, 1024], steps: 0 },
    { resolution: [1024, 1024], noUpscale: 'yes' },
    { resolution: [1024, 1024], minReso: 10 },
    { resolution: [1024, 1024], batch: 4 }
  ],
  'stats.review': [
    { interval: 'month' },
    { tzOffsetMinutes: 1000 },
    { tzOffsetMinutes: 1.5 },
    { actor: 'a' }
  ],
  'history.image': [
    {},
    { imageId: 'x' },
    { imageId: 0 },
    { imageId: 1, limit: 0 },
    { imageId: 1, limit: 1001 },
    { imageId: 1, kind: 'tags' }
  ],
  'history.revert': [{}, { entryId: 'x' }, { entryId: -1 }, { entryId: 1, batch: true }]
}
