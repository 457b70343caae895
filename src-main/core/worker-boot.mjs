// Bootstrap for running a worker's TypeScript entry from source (tsx, vitest): registers tsx's
// ESM loader in this worker thread, then imports the entry passed as workerData.glossaEntry.
// Built apps (electron-vite) start the bundled entries directly and never load this file.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.glossaEntry)
