import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

const r = (p: string): string => resolve(import.meta.dirname, p)

/**
 * Two projects: the core, CLI and server in plain Node (real SQLite, sharp, onnxruntime), and
 * the studio's own modules (data layer, autosave, keyboard, bulk draft) in happy-dom with the
 * renderer's path aliases. `npm run test:unit` runs both; `--project renderer` one of them.
 */
export default defineConfig({
  test: {
    // Most files wait on child processes, worker threads and file I/O: two at a time keeps both
    // cores busy on a 2-core CI machine (Vitest's default there is one).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/{unit,db,integration}/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000
        }
      },
      {
        resolve: {
          alias: { '@renderer': r('src-renderer/src'), '@shared': r('src-main/shared') }
        },
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          testTimeout: 30_000
        }
      }
    ]
  }
})
