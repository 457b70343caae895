/** Bad-argument cases for the import, cleanup and export methods (src-main/shared/contract/{import,cleanup,export}.ts). */
const target = { datasetId: 1 }
const rule = { id: 'r1', find: 'a', replace: 'b' }
const profile = { format: 'kohya' }

export const datatoolsBad: Record<string, unknown[]> = {
  'import.detect': [
    {},
    { dir: '' },
    { dir: 5 },
    { dir: '/tmp', format: 'zip' },
    { dir: '/tmp', formatOptions: { captionColumn: '' } },
    { dir: '/tmp', formatOptions: { regFolders: 'reg' } },
    { dir: '/tmp', limit: 0 },
    { dir: '/tmp', limit: 101 },
    { dir: '/tmp', recursive: true },
    { dir: '/tmp', totals: 'yes' }
  ],
  'cleanup.presets': [{ all: true }, 'x'],
  'cleanup.preview': [
    {},
    { target },
    { target, presets: [] },
    { target, presets: ['nope'] },
    { target: {}, presets: ['kohya'] },
    { target: { datasetId: 1, imageIds: [] }, presets: ['kohya'] },
    { target: { datasetId: 1, imageIds: [1], filter: {} }, presets: ['kohya'] },
    { target: { datasetId: 1, filter: { datasetId: 2 } }, presets: ['kohya'] },
    { target, steps: [{ rule: '' }] },
    { target, steps: [{ rule: 'url', fields: ['fr'] }] },
    { target, userRules: [{ ...rule, id: 'bad id' }] },
    { target, presets: ['kohya'], limit: 0 },
    { target, presets: ['kohya'], limit: 2001 },
    { target, presets: ['kohya'], offset: 3 }
  ],
  'cleanup.apply': [
    {},
    { target },
    { target, presets: ['web'] },
    { target: { datasetId: 'x' }, presets: ['kohya'] },
    { target, presets: ['kohya'], excludeImageIds: ['1'] },
    { target, presets: ['kohya'], userRules: [{ id: 'x', find: '', replace: '' }] },
    { target, presets: ['kohya'], dryRun: true }
  ],
  'cleanup.rules.get': [{}, { datasetId: 0 }, { datasetId: 1, all: true }],
  'cleanup.rules.save': [
    {},
    { datasetId: 1 },
    { datasetId: 1, rules: [{ id: 'x' }] },
    { datasetId: 1, rules: [{ ...rule, flags: 'gx' }] },
    { datasetId: 1, rules: [{ ...rule, fields: ['title'] }] },
    { datasetId: 1, rules: [{ ...rule, regex: 'yes' }] },
    { datasetId: 1, rules: [{ ...rule, extra: 1 }] }
  ],
  'cleanup.rules.test': [
    {},
    { rule },
    { rule, samples: [] },
    { rule, samples: [5] },
    { rule: { ...rule, find: '' }, samples: ['a'] },
    { rule, samples: Array.from({ length: 51 }, () => 'a') }
  ],
  'export.profiles.list': [{ format: 'kohya' }],
  'export.profiles.save': [
    {},
    { name: 'p' },
    { name: '', profile },
    { name: 'p', profile: { format: 'zip' } },
    { name: 'p', profile: { ...profile, caption: { language: 'fr' } } },
    { name: 'p', profile: { ...profile, kohya: { resolution: 0 } } },
    { name: 'p', profile: { ...profile, image: { mode: 'move' } } },
    { name: 'p', profile: { ...profile, colour: 'red' } },
    { id: 'x', name: 'p', profile }
  ],
  'export.profiles.delete': [{}, { id: 'x' }, { id: 1, force: true }],
  'export.plan': [
    {},
    { datasetId: 1 },
    { datasetId: 1, profile, profileId: 1 },
    { datasetId: 1, profile: { format: 'zip' } },
    { datasetId: 1, profile, status: 'rejected' },
    { datasetId: 1, profile, filter: { tag: 'x' } },
    { datasetId: 1, profile, destination: '' }
  ],
  'export.start': [
    {},
    { datasetId: 1, profile },
    { datasetId: 1, destination: '/tmp/out' },
    { datasetId: 1, profile, profileId: 2, destination: '/tmp/out' },
    { datasetId: 'x', profile, destination: '/tmp/out' },
    { datasetId: 1, profile, destination: '/tmp/out', status: 'all' },
    { datasetId: 1, profile, destination: 5 },
    { datasetId: 1, profile, destination: '/tmp/out', dryRun: true }
  ],
  'export.report': [{}, { jobId: 'x' }, { jobId: 0 }, { jobId: 1, full: true }]
}
