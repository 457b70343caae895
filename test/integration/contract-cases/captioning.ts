/** Bad-argument cases for the captioning methods (src-main/shared/contract/captioning.ts). */
export const captioningBad: Record<string, unknown[]> = {
  'models.list': [{ kind: 'tagger' }, 'x'],
  'models.add': [
    {},
    { dir: '' },
    { dir: 5 },
    { dir: '/tmp/m', name: '' },
    { dir: '/tmp/m', kind: 'tagger' }
  ],
  'models.remove': [{}, { id: '' }, { id: '../x' }, { id: 'a', files: true }],
  'models.catalogue': [{ kind: 'tagger' }],
  'models.download': [
    {},
    { repoId: 'no-slash' },
    { repoId: 'a/../b' },
    { repoId: 'a/b', mirror: 'ftp://example.com' },
    { repoId: 'a/b', include: [] },
    { repoId: 'a/b', revision: 'x y' },
    { repoId: 'a/b', token: 'secret' }
  ],
  'models.downloadPlan': [
    {},
    { repoId: 'no-slash' },
    { repoId: 'a/b', mirror: 'file:///etc' },
    { repoId: 'a/b', include: [''] },
    { repoId: 'a/b', dryRun: true }
  ],
  'models.endpointSave': [
    {},
    { endpoint: {} },
    { endpoint: { name: 'Bad:Name', url: 'http://x', model: 'm' } },
    { endpoint: { name: 'ok', url: 'ftp://x', model: 'm' } },
    { endpoint: { name: 'ok', url: 'http://user:pw@x', model: 'm' } },
    { endpoint: { name: 'ok', url: 'http://x/v1?key=1', model: 'm' } },
    { endpoint: { name: 'ok', url: 'http://x', model: '' } },
    { endpoint: { name: 'ok', url: 'http://x', model: 'm', apiKey: 'sk-x' } },
    { endpoint: { name: 'ok', url: 'http://x', model: 'm', keyEnv: 'lower-case' } },
    { endpoint: { name: 'ok', url: 'http://x', model: 'm', concurrency: 0 } },
    { endpoint: { name: 'ok', url: 'http://x', model: 'm', headers: { Authorization: 'x' } } },
    { endpoint: { name: 'ok', url: 'http://x', model: 'm' }, replace: 'yes' }
  ],
  'models.endpointTest': [{}, { id: '' }, { id: 'a', endpoint: {} }, { endpoint: { name: 'x' } }],
  'models.endpointKey': [
    {},
    { id: 'a' },
    { id: 'a', key: '' },
    { id: 'a', key: 5 },
    { id: 'a', key: 'k', keyEnv: 'X' }
  ],
  'models.unload': [{ id: 'x' }],
  'models.status': [{ verbose: true }],
  'models.setRuntime': [{ ep: 'tpu' }, { intraOpThreads: -1 }, { interOpThreads: 1.5 }, { gpu: 1 }],
  'presets.list': [{ builtin: true }],
  'presets.save': [
    {},
    { id: 'Bad Id', name: 'x', lang: 'zh', template: 't', output: 'text', content: 'none' },
    { id: 'ok', name: 'x', lang: 'fr', template: 't', output: 'text', content: 'none' },
    { id: 'ok', name: 'x', lang: 'zh', template: '', output: 'text', content: 'none' },
    { id: 'ok', name: 'x', lang: 'zh', template: 't', output: 'json', content: 'none' },
    { id: 'ok', name: 'x', lang: 'zh', template: 't', output: 'text', content: 'none', x: 1 }
  ],
  'presets.delete': [{}, { id: 'UPPER' }, { id: 'ok', force: true }],
  'caption.preview': [
    {},
    { imageId: 1 },
    { imageId: 'x', modelId: 'm' },
    { imageId: 1, modelId: 'm', lang: 'fr' },
    { imageId: 1, modelId: 'm', tagOptions: { generalThreshold: 2 } },
    { imageId: 1, modelId: 'm', decoding: { mode: 'sample' } },
    { imageId: 1, modelId: 'm', write: true }
  ],
  'caption.prompts': [{}, { imageId: 'x' }, { imageId: 0 }, { imageId: 1, lang: 'zh' }],
  'caption.start': [
    {},
    { modelId: 'm' },
    { target: {}, modelId: 'm' },
    { target: { datasetId: 'x' }, modelId: 'm' },
    { target: { imageIds: [] }, modelId: 'm' },
    { target: { datasetId: 1 }, modelId: 'm', batch: 0 },
    { target: { datasetId: 1 }, modelId: 'm', overwriteManual: 'yes' },
    { target: { datasetId: 1, filter: { tag: 'x' } }, modelId: 'm' },
    { target: { datasetId: 1 }, modelId: 'm', maxNewTokens: 0 },
    { target: { datasetId: 1 }, modelId: 'm', dryRun: true }
  ]
}
