/**
 * Where a worker thread's code is. A bundled build (electron-vite: out/main/<name>.js, its shared
 * code in out/main/chunks/) starts the built entry directly; from source (tsx, vitest) the worker
 * is `worker-boot.mjs`, which registers tsx in the worker and imports the TypeScript entry.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface WorkerEntry {
  url: URL
  /** set for the source form: the boot script reads `glossaEntry` from its workerData */
  glossaEntry?: string
}

/**
 * `builtName`: the bundle's entry name (e.g. 'core-host'); `from`: import.meta.url of the module
 * asking (the bundle puts shared code one folder below the entries); `source`: the TypeScript
 * entry, relative to `from`, for runs from source.
 */
export function resolveWorkerEntry(builtName: string, from: string, source: string): WorkerEntry {
  // Names are kept in variables so bundlers do not try to resolve them as assets.
  const file = `${builtName}.js`
  for (const rel of [file, `../${file}`]) {
    const u = new URL(rel, from)
    if (u.protocol === 'file:' && existsSync(fileURLToPath(u))) return { url: u }
  }
  const boot = new URL('worker-boot.mjs', import.meta.url)
  return { url: boot, glossaEntry: new URL(source, from).href }
}
