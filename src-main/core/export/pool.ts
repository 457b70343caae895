/**
 * Small I/O helpers for the export: a bounded-concurrency pool and callback-based file calls.
 * The callback API (FSReqCallback) costs the main thread far less per call than fs.promises
 * (FileHandle objects and promise layers), which matters for tens of thousands of tiny caption
 * files; every call still runs on libuv's thread pool, so the event loop never blocks.
 */
import fs from 'node:fs'

/** Runs `fn` over `items` with at most `n` in flight; stops taking new items once `signal` aborts. */
export async function pool<T>(
  items: readonly T[],
  n: number,
  signal: AbortSignal | undefined,
  fn: (t: T, index: number) => Promise<void>
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (signal?.aborted) return
      const i = next++
      await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker))
}

/** Writes a new file (fails with EEXIST if it exists: flag 'wx'). */
export function writeNewFile(file: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.writeFile(file, data, { flag: 'wx' }, (err) => (err ? reject(err) : resolve()))
  })
}

/** Reads a whole file into a Buffer. */
export function readWholeFile(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fs.readFile(file, (err, buf) => (err ? reject(err) : resolve(buf)))
  })
}

/** stat(2); follows symlinks. */
export function statFile(file: string): Promise<fs.Stats> {
  return new Promise((resolve, reject) => {
    fs.stat(file, (err, st) => (err ? reject(err) : resolve(st)))
  })
}

/** Hard link. */
export function linkFile(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.link(src, dst, (err) => (err ? reject(err) : resolve()))
  })
}

/** copyFile with the given mode flags. */
export function copyFileTo(src: string, dst: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.copyFile(src, dst, mode, (err) => (err ? reject(err) : resolve()))
  })
}
