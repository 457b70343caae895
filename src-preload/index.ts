/**
 * Sandboxed preload (bundled to one CommonJS file, out/preload/index.cjs): exposes one narrow
 * object, `window.glossa` (see bridge.ts), and never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { IPC, type IpcEvent } from '../src-main/shared/client'
import { createBridge } from './bridge'

const bridge = createBridge({
  invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
  onEvent: (cb) => {
    ipcRenderer.on(IPC.event, (_e, msg: IpcEvent) => cb(msg))
  }
})

contextBridge.exposeInMainWorld('glossa', bridge)
