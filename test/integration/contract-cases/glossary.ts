/** Bad-argument cases for the glossary methods (src-main/shared/contract/glossary.ts) and captions.lint/convertScript, text.* (contract/captions.ts). */
const entry = { name: { zh: '广州塔' } }
const target = { datasetId: 1 }

export const glossaryBad: Record<string, unknown[]> = {
  'glossary.list': [{ datasetId: 'a' }, { datasetId: 0 }, { includeGlobal: 'yes' }, { all: true }],
  'glossary.get': [{}, { id: 'x' }, { id: -1 }, { id: 1, full: true }],
  'glossary.save': [
    {},
    { entry: {} },
    { entry: { name: {} } },
    { entry: { name: { zh: '' } } },
    { entry: { name: { zh: '   ' } } },
    { entry: { name: { fr: 'x' } } },
    { entry: { ...entry, kind: 'city' } },
    { entry: { ...entry, injection: { mode: 'append' } } },
    { entry: { ...entry, injection: { target: 'mood' } } },
    { entry: { ...entry, aliases: { zh: 'one' } } },
    { entry: { ...entry, triggers: { images: ['1'] } } },
    { entry: { ...entry, facts: { zh: 'x'.repeat(10_001) } } },
    { entry, datasetId: 'x' },
    { entry, id: 0 },
    { entry, color: 'red' }
  ],
  'glossary.delete': [{}, { id: '1' }, { id: 1, force: true }],
  'glossary.assign': [
    { entryId: 1 },
    { entryId: 1, imageIds: [] },
    { entryId: 1, imageIds: ['1'] },
    { entryId: 1, imageIds: [1], assigned: 'no' },
    { entryId: 1, imageIds: [1], extra: 1 }
  ],
  'glossary.import': [
    {},
    { file: '' },
    { file: 5 },
    { file: '/tmp/g.csv', format: 'xlsx' },
    { file: '/tmp/g.csv', datasetId: 'x' },
    { file: '/tmp/g.csv', dryRun: true }
  ],
  'glossary.export': [
    {},
    { file: '' },
    { file: '/tmp/g.csv', format: 'tsv' },
    { file: '/tmp/g.csv', overwrite: 'yes' },
    { file: '/tmp/g.csv', datasetId: 0 },
    { file: '/tmp/g.csv', bom: false }
  ],
  'glossary.preview': [
    {},
    { target: {} },
    { target: { datasetId: 'x' } },
    { target: { datasetId: 1, filter: { status: ['done'] } } },
    { target: { datasetId: 1, filter: { datasetId: 2 } } },
    { target: { datasetId: 1, imageIds: [] } },
    { target: { datasetId: 1, imageIds: [1], filter: {} } },
    { target, limit: 0 },
    { target, limit: 5001 },
    { target, offset: 10 }
  ],
  'glossary.apply': [
    {},
    { target: { datasetId: 0 } },
    { target, excludeImageIds: ['1'] },
    { target, excludeImageIds: 1 },
    { target: { datasetId: 1, imageIds: [1], filter: {} } },
    { target, dryRun: true }
  ],
  'glossary.knowledge': [{}, { imageId: 'x' }, { imageId: 0 }, { imageId: 1, lang: 'zh' }],
  'captions.lint': [
    {},
    { imageId: 'x' },
    { imageId: 1, rules: ['mixed-language'] },
    { target, rules: ['spelling'] },
    { target, rules: [] },
    { target, limit: 0 },
    { target, tokenizers: { bert: '/tmp/t.json' } },
    { imageId: 1, target }
  ],
  'captions.convertScript': [
    {},
    { target, to: 'kanji' },
    { target },
    { to: 'simplified' },
    { target, to: 'simplified', lang: 'fr' },
    { target, to: 'simplified', excludeImageIds: [0] },
    { target, to: 'simplified', dryRun: true }
  ],
  'text.render': [
    {},
    { fields: {}, lang: 'fr' },
    { fields: { mood: 'x' }, lang: 'zh' },
    { fields: { subject: 1 }, lang: 'zh' },
    { fields: {}, lang: 'zh', text: 'x' }
  ],
  'text.parse': [
    {},
    { text: 5, lang: 'zh' },
    { text: 'x' },
    { text: 'x', lang: 'zh', strict: true }
  ],
  'text.tokens': [
    {},
    { text: 5 },
    { text: 'x', tokenizers: { clip: '' } },
    { text: 'x', tokenizers: { t5: '/tmp/t.json' } },
    { text: 'x'.repeat(200_001) },
    { text: 'x', lang: 'zh' }
  ]
}
