/** Byte sizes for model files and downloads: 1024-based, one decimal (e.g. "312.4 MB"). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = Math.max(0, n)
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`
}

/** Job kinds the job panel can resume after a cancel, a crash or a failure. */
export const RESUMABLE_KINDS: readonly string[] = ['caption', 'download', 'import']
