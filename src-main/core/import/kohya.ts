/**
 * kohya sd-scripts DreamBooth folders are named `<repeats>_<concept>` (e.g. `10_sks dog`): the
 * number is how often each image is repeated per epoch. Anything else is a plain folder.
 */
export interface KohyaFolder {
  repeats: number
  concept: string
}

/** Splits at the first `_`; the repeats must be a whole number ≥ 1 and the name non-empty. */
export function parseKohyaFolder(name: string): KohyaFolder | null {
  const i = name.indexOf('_')
  if (i <= 0) return null
  const num = name.slice(0, i)
  const concept = name.slice(i + 1)
  if (!/^\d+$/.test(num) || !concept.trim()) return null
  const repeats = Number(num)
  if (!Number.isSafeInteger(repeats) || repeats < 1) return null
  return { repeats, concept }
}

export interface ConceptInfo {
  concept: string
  repeats: number | null
}

/**
 * The concept of an image in `folder` ('/'-separated, relative to the import root, '' for the
 * root): the nearest kohya-style folder at or above it (its repeats too) — the import root itself
 * counts when its name is kohya-style, so importing `10_sks dog/` alone keeps its concept — else
 * the immediate folder's name, else '' at the root.
 */
export function conceptForFolder(folder: string, rootName = ''): ConceptInfo {
  const parts = folder.split('/').filter(Boolean)
  for (let i = parts.length - 1; i >= 0; i--) {
    const k = parseKohyaFolder(parts[i]!)
    if (k) return { concept: k.concept, repeats: k.repeats }
  }
  const r = parseKohyaFolder(rootName)
  if (r) return { concept: r.concept, repeats: r.repeats }
  return { concept: parts[parts.length - 1] ?? '', repeats: null }
}
