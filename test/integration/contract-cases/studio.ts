/** Bad-argument cases for the studio's methods: datasets.delete, fs.list (contract/library.ts, contract/import.ts). */
export const studioBad: Record<string, unknown[]> = {
  'datasets.delete': [{}, { id: 'a' }, { id: 0 }, { id: 1.5 }, { id: 1, files: true }],
  'fs.list': [{ path: '' }, { path: 5 }, { hidden: 'yes' }, { path: '/tmp', contents: true }]
}
