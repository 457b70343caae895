/**
 * Names that land on disk. Concept and class names become folder names and class tokens, so a bad
 * one is REFUSED (silently renaming it would change what the model is trained on). File stems come
 * from source files and are SANITISED, with every rename recorded.
 */
import { GlossaError } from '../../shared/errors'

const RESERVED = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?$/i
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/

/** Why a folder-name component is unsafe, or null when it is fine on every desktop OS. */
export function unsafeName(name: string): string | null {
  if (name.trim() === '') return 'it is empty'
  if (name === '.' || name === '..' || name.includes('..'))
    return 'it contains ".." (path traversal)'
  const bad = FORBIDDEN.exec(name)
  if (bad) {
    const ch = bad[0]
    return ch === '/' || ch === '\\'
      ? 'it contains a path separator'
      : `it contains the character ${JSON.stringify(ch)}, which is not allowed in file names`
  }
  if (RESERVED.test(name.trim())) return `"${name}" is a reserved device name on Windows`
  if (/[. ]$/.test(name)) return 'it ends with a dot or a space'
  if (name.startsWith(' ')) return 'it starts with a space'
  if (Buffer.byteLength(name) > 180) return 'it is longer than 180 bytes'
  return null
}

export function checkConceptName(kind: 'concept' | 'class', name: string): void {
  const why = unsafeName(name)
  if (why) {
    throw new GlossaError(
      'INVALID_ARGS',
      `Cannot export: the ${kind} name ${JSON.stringify(name)} is unsafe as a folder name: ${why}.`,
      {
        [kind]: name
      }
    )
  }
}

/**
 * A stem safe on every OS and visible to trainers: forbidden characters become "_", reserved device
 * names get a "_" suffix, leading dots go (Python's glob skips dot files, so kohya would not see
 * the image), trailing dots and spaces go, and the stem is capped at 150 bytes.
 */
export function sanitizeStem(stem: string): string {
  let s = stem
    .normalize('NFC')
    .replace(new RegExp(FORBIDDEN.source, 'g'), '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
  if (s === '' || s === '..') s = 'image'
  if (RESERVED.test(s)) s += '_'
  while (Buffer.byteLength(s) > 150) s = Array.from(s).slice(0, -1).join('')
  return s
}

/** Hands out stems unique per folder, compared case-insensitively (Windows and macOS folders). */
export class StemAllocator {
  private readonly used = new Map<string, Set<string>>()

  take(folder: string, wanted: string): string {
    let set = this.used.get(folder)
    if (!set) {
      set = new Set()
      this.used.set(folder, set)
    }
    let stem = wanted
    for (let n = 2; set.has(stem.toLowerCase()); n++) stem = `${wanted}_${n}`
    set.add(stem.toLowerCase())
    return stem
  }
}
