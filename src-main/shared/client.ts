import type { GlossaClient } from './api'

/**
 * What the Electron preload exposes as `window.glossa`: the API client plus the one thing only
 * the desktop app can do, a native folder picker. In browser mode `window.glossa` is undefined
 * and the renderer talks HTTP (`POST /api/<method>`, `GET /api/events`) instead.
 */
export interface GlossaBridge extends GlossaClient {
  /** Opens the system folder dialog; resolves to the chosen absolute path, or null if cancelled. */
  openFolder(): Promise<string | null>
}

/** IPC channel names shared by main and preload. */
export const IPC = {
  call: 'glossa:call',
  openFolder: 'glossa:open-folder',
  event: 'glossa:event'
} as const

/** The envelope main returns for every `glossa:call`; errors never carry stacks. */
export type IpcReply<T = unknown> =
  | { ok: true; result: T }
  | { ok: false; error: { code: string; message: string; details?: unknown } }

/** What main sends on `glossa:event`. */
export interface IpcEvent {
  name: string
  payload: unknown
}

declare global {
  interface Window {
    /** present only inside the Electron app (see src-preload) */
    glossa?: GlossaBridge
  }
}
