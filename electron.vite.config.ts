import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

const r = (p: string): string => resolve(import.meta.dirname, p)

/** Native addons stay outside every bundle; they are loaded from node_modules at run time. */
const NATIVE = ['better-sqlite3', 'sharp', 'onnxruntime-node', /^@img\//]

const alias = {
  '@renderer': r('src-renderer/src'),
  '@shared': r('src-main/shared')
}

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      // `dependencies` are external (electron-vite's default); native modules explicitly too.
      externalizeDeps: true,
      // out/main/cli.js and out/main/serve.js run under plain Node ≥ 20.19, not only Electron.
      target: 'node20.19',
      rolldownOptions: {
        input: {
          index: r('src-main/index.ts'),
          cli: r('src-main/cli/index.ts'),
          serve: r('src-main/server/run.ts'),
          // worker threads (src-main/core/worker-entry.ts finds them next to the entries)
          'core-host': r('src-main/core/host/worker.ts'),
          'inference-worker': r('src-main/core/captioning/inference/host-worker.ts'),
          'import-writer': r('src-main/core/import/writer-worker.ts')
        },
        external: NATIVE
      }
    }
  },
  preload: {
    resolve: { alias },
    build: {
      // A sandboxed preload may only require('electron') and a few builtins: bundle everything
      // (zod included) into one CommonJS file.
      externalizeDeps: false,
      isolatedEntries: true,
      rolldownOptions: {
        input: { index: r('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: r('src-renderer'),
    resolve: { alias },
    plugins: [react()],
    build: {
      // electron-vite leaves bundles unminified; the studio loads faster minified (1 MB → ~430 kB).
      minify: true,
      rolldownOptions: {
        input: { index: r('src-renderer/index.html') }
      }
    }
  }
})
