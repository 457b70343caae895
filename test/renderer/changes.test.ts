/**
 * The one map from changes to invalidations (src-renderer/src/api/changes.ts) and the feed that
 * applies it to a real TanStack QueryClient (src-renderer/src/api/query.ts): an edit refreshes
 * exactly what depends on it — statistics, lint, knowledge and duplicates included — and nothing
 * that could not have changed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { QueryClient } from '@tanstack/react-query'
import { METHOD_NAMES, type Args, type Events, type MethodName } from '@shared/api'
import { CHANGE_KINDS } from '@shared/constants'
import {
  affectsCall,
  changeOfCall,
  changeOfEvent,
  changeOfJob,
  isMutation,
  mergeChanges,
  METHODS,
  readsOf,
  type Change
} from '@renderer/api/changes'
import { ChangeFeed, callKey } from '@renderer/api/query'

const event = (e: Partial<Events['library.changed']>): Change =>
  changeOfEvent({ datasetId: null, imageIds: null, reason: 'test', ...e })

/** A cached query of every shape the studio reads, for dataset 1 / image 5 (or library-wide). */
const Q = {
  image5: ['images.get', { id: 5 }],
  image6: ['images.get', { id: 6 }],
  grid1: ['images.page', { filter: { datasetId: 1 } }],
  grid2: ['images.page', { filter: { datasetId: 2 } }],
  lint5: ['captions.lint', { imageId: 5 }],
  lintList1: ['captions.lint', { target: { datasetId: 1 } }],
  knowledge5: ['glossary.knowledge', { imageId: 5 }],
  knowledge6: ['glossary.knowledge', { imageId: 6 }],
  history5: ['history.image', { imageId: 5 }],
  historyList: ['history.list', {}],
  datasets: ['datasets.list', {}],
  dataset1: ['datasets.get', { id: 1 }],
  dataset2: ['datasets.get', { id: 2 }],
  concepts1: ['datasets.concepts', { datasetId: 1 }],
  captionLengths1: ['stats.captionLengths', { filter: { datasetId: 1 } }],
  tags1: ['stats.tags', { filter: { datasetId: 1 } }],
  tagList1: ['tags.list', { filter: { datasetId: 1 } }],
  resolution1: ['stats.resolution', { filter: { datasetId: 1 } }],
  resolutionApproved1: ['stats.resolution', { filter: { datasetId: 1, status: ['approved'] } }],
  review1: ['stats.review', { filter: { datasetId: 1 } }],
  buckets1: ['stats.buckets', { filter: { datasetId: 1 }, resolution: [1024, 1024] }],
  dupes1: ['dupes.find', { datasetId: 1 }],
  glossary1: ['glossary.list', { datasetId: 1 }],
  glossaryPreview1: ['glossary.preview', { target: { datasetId: 1 } }],
  cleanupRules1: ['cleanup.rules.get', { datasetId: 1 }],
  models: ['models.list', {}],
  settings: ['settings.get', { key: 'shortcuts' }],
  profiles: ['export.profiles.list', {}],
  jobs: ['jobs.list', {}],
  render: ['text.render', { fields: {}, lang: 'zh' }],
  detect: ['import.detect', { dir: '/x' }]
} as const satisfies Record<string, readonly [MethodName, object]>
type QName = keyof typeof Q

function affected(change: Change): QName[] {
  return (Object.keys(Q) as QName[]).filter((n) => {
    const [m, a] = Q[n]
    return affectsCall(m, a as Args<typeof m>, change)
  })
}

describe('the map', () => {
  it('classifies every contract method as a read, a write or fixed', () => {
    for (const m of METHOD_NAMES) expect(METHODS[m], m).toBeDefined()
    // every read names kinds that exist
    const known = new Set<string>([...CHANGE_KINDS, 'jobs'])
    for (const m of METHOD_NAMES) {
      const spec = METHODS[m] as object
      if ('reads' in spec && Array.isArray(spec.reads))
        for (const k of spec.reads) expect(known.has(k), `${m}: ${k}`).toBe(true)
    }
    expect(isMutation('images.setStatus')).toBe(true)
    expect(isMutation('images.get')).toBe(false)
  })

  it('a caption edit of image 5 refreshes that image, its lint and knowledge, caption statistics and counts', () => {
    const got = affected(event({ datasetId: 1, imageIds: [5], kinds: ['captions'] }))
    expect(got).toEqual([
      'image5',
      'grid1',
      'lint5',
      'lintList1',
      'knowledge5',
      'history5',
      'historyList',
      'datasets',
      'dataset1',
      'captionLengths1',
      'dupes1',
      'glossaryPreview1'
    ])
  })

  it('a status change refreshes review statistics, counts, duplicates and status-filtered plots only', () => {
    const got = affected(event({ datasetId: 1, imageIds: [5], kinds: ['status'] }))
    expect(got).toEqual([
      'image5',
      'grid1',
      'history5',
      'historyList',
      'datasets',
      'dataset1',
      'resolutionApproved1',
      'review1',
      'dupes1'
    ])
  })

  it('a tag edit refreshes tag statistics and the tag panel, lint and knowledge', () => {
    const got = affected(event({ datasetId: 1, imageIds: [5], kinds: ['tags'] }))
    expect(got).toContain('tags1')
    expect(got).toContain('tagList1')
    expect(got).toContain('lint5')
    expect(got).toContain('knowledge5')
    expect(got).not.toContain('captionLengths1')
    expect(got).not.toContain('datasets') // summaries count captions, not tags
  })

  it('a glossary change refreshes lint, knowledge of every image and the glossary lists', () => {
    const got = affected(event({ datasetId: null, kinds: ['glossary'] }))
    expect(got).toEqual([
      'lint5',
      'lintList1',
      'knowledge5',
      'knowledge6',
      'glossary1',
      'glossaryPreview1'
    ])
  })

  it('a dataset rename refreshes the dataset lists and that dataset only', () => {
    expect(affected(event({ datasetId: 1, kinds: ['datasets'] }))).toEqual([
      'historyList',
      'datasets',
      'dataset1'
    ])
  })

  it('imported rows refresh everything about that dataset and nothing about another', () => {
    const got = affected(event({ datasetId: 2, kinds: ['images', 'captions', 'tags'] }))
    expect(got).toContain('grid2')
    expect(got).toContain('dataset2')
    expect(got).toContain('datasets')
    for (const n of ['grid1', 'dataset1', 'captionLengths1', 'resolution1', 'dupes1'] as const)
      expect(got).not.toContain(n)
  })

  it('configuration kinds reach only their readers', () => {
    expect(affected(event({ kinds: ['models'] }))).toEqual(['models'])
    expect(affected(event({ kinds: ['settings'] }))).toEqual(['settings'])
    expect(affected(event({ kinds: ['exportProfiles'] }))).toEqual(['profiles'])
    expect(affected(event({ datasetId: 1, kinds: ['cleanupRules'] }))).toEqual(['cleanupRules1'])
  })

  it('an event without kinds means anything: every reader is refreshed, fixed results never', () => {
    const got = affected(event({}))
    const readers = (Object.keys(Q) as QName[]).filter((n) => !['render', 'detect'].includes(n))
    expect(got).toEqual(readers)
    // still narrowed by image: image 6 was not named
    expect(affected(event({ imageIds: [5] }))).not.toContain('image6')
  })

  it('filters add what they depend on (a search reads captions and tags)', () => {
    expect(readsOf('stats.resolution', { filter: { datasetId: 1 } })).toEqual(['images'])
    expect(readsOf('stats.resolution', { filter: { search: 'tower', tags: ['sky'] } })).toEqual([
      'images',
      'captions',
      'tags',
      'tags'
    ])
  })
})

describe('mutations', () => {
  it('say what they change, for which dataset and images', () => {
    const c = changeOfCall('images.setStatus', { ids: [5, 7], status: 'approved' })!
    expect([...c.kinds!]).toEqual(['status'])
    expect([...c.imageIds!]).toEqual([5, 7])
    expect(c.datasetId).toBeNull()

    const rename = changeOfCall('datasets.rename', { id: 1, name: 'x' })!
    expect(rename.datasetId).toBe(1)
    expect(affected(rename)).toEqual(['historyList', 'datasets', 'dataset1'])
  })

  it('bulk edits change what their operation touches; a move is not narrowed to one dataset', () => {
    const status = changeOfCall('bulk.apply', {
      selection: { filter: { datasetId: 1 } },
      op: { kind: 'status', status: 'rejected' }
    })!
    expect([...status.kinds!]).toEqual(['status'])
    expect(status.datasetId).toBe(1)
    const move = changeOfCall('bulk.apply', {
      selection: { filter: { datasetId: 1 } },
      op: { kind: 'move', datasetId: 2 }
    })!
    expect(move.datasetId).toBeNull()
    expect(affected(move)).toContain('dataset2')
  })

  it('undo and redo may change anything; reads and pure calls change nothing', () => {
    const undo = changeOfCall('history.undo', {})!
    expect(undo.kinds).toBeNull()
    expect(changeOfCall('images.get', { id: 1 })).toBeNull()
    expect(changeOfCall('glossary.export', { file: '/x.csv' })).toBeNull()
  })

  it('a finished job refreshes job views and what its kind writes', () => {
    const dl = changeOfJob({ kind: 'download', datasetId: null })
    expect(affected(dl)).toEqual(['models', 'jobs'])
    const imp = changeOfJob({ kind: 'import', datasetId: 2 })
    expect(affected(imp)).toContain('grid2')
    expect(affected(imp)).toContain('jobs')
    expect(affected(imp)).not.toContain('grid1')
  })

  it('merging widens kinds, datasets and images to cover both', () => {
    const a = event({ datasetId: 1, imageIds: [5], kinds: ['captions'] })
    const b = event({ datasetId: 1, imageIds: [6], kinds: ['status'] })
    const m = mergeChanges(a, b)
    expect([...m.kinds!].sort()).toEqual(['captions', 'status'])
    expect(m.datasetId).toBe(1)
    expect([...m.imageIds!].sort()).toEqual([5, 6])
    // two datasets: the union of both, not "any dataset"
    const wide = mergeChanges(a, event({ datasetId: 2 }))
    expect(wide.kinds).toBeNull()
    expect(wide.datasetId).toBeNull()
    expect([...wide.datasetIds!].sort()).toEqual([1, 2])
    expect(wide.imageIds).toBeNull()
    // a change to any dataset stays one to any dataset
    const any = mergeChanges(a, event({}))
    expect(any.datasetId).toBeNull()
    expect(any.datasetIds ?? null).toBeNull()
  })

  it('an event naming several datasets refreshes those and no other', () => {
    // a move from dataset 1 to 3: both grids and summaries, never dataset 2's
    const moved = event({ datasetId: null, datasetIds: [1, 3], kinds: ['images', 'datasets'] })
    const hit = affected(moved)
    expect(hit).toEqual(expect.arrayContaining(['grid1', 'dataset1', 'concepts1', 'datasets']))
    expect(hit).not.toContain('grid2')
    expect(hit).not.toContain('dataset2')
  })

  it('a caption edit in one dataset re-reads its summary but not its concepts or other datasets', () => {
    // what the core now sends for captions.setText on image 5 of dataset 1
    const c = event({ datasetId: 1, datasetIds: [1], imageIds: [5], kinds: ['captions'] })
    const hit = affected(c)
    expect(hit).toEqual(
      expect.arrayContaining(['image5', 'grid1', 'dataset1', 'datasets', 'captionLengths1'])
    )
    for (const n of ['concepts1', 'dataset2', 'grid2', 'image6', 'tags1', 'resolution1'] as const)
      expect(hit, n).not.toContain(n)
    // a status change: the status views, not the caption statistics
    const st = affected(event({ datasetIds: [1], datasetId: 1, imageIds: [5], kinds: ['status'] }))
    expect(st).toEqual(expect.arrayContaining(['dataset1', 'review1', 'resolutionApproved1']))
    expect(st).not.toContain('captionLengths1')
    expect(st).not.toContain('concepts1')
  })
})

describe('ChangeFeed on a QueryClient', () => {
  afterEach(() => vi.useRealTimers())

  it('coalesces a burst into one pass and invalidates exactly the affected cached queries', () => {
    vi.useFakeTimers()
    const qc = new QueryClient()
    for (const [m, a] of Object.values(Q)) qc.setQueryData(callKey(m, a as never), { cached: true })
    // a query under a key that is not [method, args] (the grid's own pages) is left alone
    qc.setQueryData(['grid', { datasetId: 1 }], { pages: [] })
    const feed = new ChangeFeed(qc, 50)
    const heard: Change[] = []
    feed.subscribe((c) => heard.push(c))

    feed.note(event({ datasetId: 1, imageIds: [5], kinds: ['status'] }))
    feed.note(changeOfCall('captions.setText', { imageId: 5, lang: 'zh', text: 'x' })!)
    expect(heard).toHaveLength(0)
    vi.advanceTimersByTime(50)
    expect(heard).toHaveLength(1)

    const stale = (Object.keys(Q) as QName[]).filter((n) => {
      const [m, a] = Q[n]
      return qc.getQueryState(callKey(m, a as never))?.isInvalidated
    })
    // the union of a status change of image 5 in dataset 1 and a caption edit of image 5
    // (the caption edit names no dataset, so it reaches dataset summaries of every dataset)
    expect(stale).toEqual([
      'image5',
      'grid1',
      'grid2',
      'lint5',
      'lintList1',
      'knowledge5',
      'history5',
      'historyList',
      'datasets',
      'dataset1',
      'dataset2',
      'captionLengths1',
      'resolutionApproved1',
      'review1',
      'dupes1',
      'glossaryPreview1'
    ])
    expect(qc.getQueryState(['grid', { datasetId: 1 }])?.isInvalidated).toBe(false)
    feed.dispose()
  })
})
