/**
 * Where each image goes, per format. Pure: computes folders, stems and renames without touching
 * the disk, so every refusal happens before anything is written.
 */
import path from 'node:path'
import { composeCaption, intendedOf, type ComposedCaption, type IntendedCaption } from './caption'
import { checkConceptName, sanitizeStem, StemAllocator } from './names'
import type { ExportFormat, ExportImage, ExportProfile, RenamedFile } from './types'

export const ACCEPTED_EXT: Record<ExportFormat, ReadonlySet<string>> = {
  // sd-scripts IMAGE_EXTENSIONS (formats.md §1); lowercase is what we write
  kohya: new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp']),
  sdscripts: new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp']),
  // OneTrainer, formats.md §7
  onetrainer: new Set(['.bmp', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp', '.avif']),
  // PIL through the datasets library / csv2arrow
  hf: new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.gif', '.tif', '.tiff']),
  hunyuan: new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp'])
}

export interface Subset {
  /** folder relative to the export root, '/'-separated */
  folder: string
  concept: string
  classTokens: string
  repeats: number
  isReg: boolean
  items: PlannedImage[]
}

export interface PlannedImage {
  image: ExportImage
  subset: Subset
  /** stem chosen for the output (extension decided when the image is placed) */
  stem: string
  caption: ComposedCaption
  /** what the trainer should train on: the fidelity check compares the read-back with it */
  intended: IntendedCaption
}

export interface Layout {
  subsets: Subset[]
  items: PlannedImage[]
  renamed: RenamedFile[]
  warnings: string[]
  skipped: Array<{ imageId: number; source: string; reason: string }>
}

function folderFor(
  format: ExportFormat,
  concept: string,
  cls: string,
  repeats: number,
  isReg: boolean
): string {
  switch (format) {
    case 'kohya':
      return isReg
        ? `reg/${repeats}_${concept}`
        : `img/${repeats}_${concept}${cls ? ' ' + cls : ''}`
    case 'hf':
      return `train/${concept}`
    case 'onetrainer':
      return isReg ? `reg/${concept}` : `images/${concept}`
    default:
      return `images/${concept}`
  }
}

export function planLayout(images: readonly ExportImage[], profile: ExportProfile): Layout {
  const warnings: string[] = []
  const skipped: Layout['skipped'] = []
  const renamed: RenamedFile[] = []
  const subsets = new Map<string, Subset>()
  const stems = new StemAllocator()
  const items: PlannedImage[] = []
  // same order as localeCompare, with the keys computed once and one collator for all
  const collate = new Intl.Collator().compare
  const sorted = images
    .map((image) => ({ image, base: path.basename(image.path) }))
    .sort(
      (a, b) =>
        collate(a.image.concept, b.image.concept) ||
        collate(a.base, b.base) ||
        a.image.id - b.image.id
    )
    .map((k) => k.image)
  const regless =
    profile.format === 'sdscripts' || profile.format === 'hf' || profile.format === 'hunyuan'
  let regSkipped = 0
  for (const image of sorted) {
    const concept = (image.concept || profile.defaultConcept).trim()
    checkConceptName('concept', concept)
    const isReg = image.isReg === true
    if (isReg && regless) {
      regSkipped++
      skipped.push({
        imageId: image.id,
        source: image.path,
        reason: `the ${profile.format} format has no regularisation images`
      })
      continue
    }
    const cls = isReg ? '' : (profile.kohya.classTokens[concept] ?? '').trim()
    if (cls) checkConceptName('class', cls)
    const repeats =
      image.repeats != null && image.repeats >= 1 ? image.repeats : profile.kohya.defaultRepeats
    const folder = folderFor(profile.format, concept, cls, repeats, isReg)
    let subset = subsets.get(folder)
    if (!subset) {
      subset = {
        folder,
        concept,
        classTokens: cls ? `${concept} ${cls}` : concept,
        repeats,
        isReg,
        items: []
      }
      subsets.set(folder, subset)
    }
    const srcStem = path.basename(image.path, path.extname(image.path))
    const clean = sanitizeStem(srcStem)
    const stem = stems.take(folder, clean)
    if (stem !== srcStem) {
      renamed.push({
        imageId: image.id,
        source: image.path,
        exported: `${folder}/${stem}`,
        reason:
          clean !== srcStem
            ? 'the file name is not safe on every system'
            : 'another image in the folder has the same name'
      })
    }
    // Regularisation images show the plain class: no trigger words, no fixed tokens.
    const ctx = { format: profile.format, classTokens: subset.classTokens }
    const caption = isReg
      ? composeCaption(
          { ...image, triggerWords: [] },
          { ...profile.caption, triggerWords: [], keepTokens: 'none' },
          ctx
        )
      : composeCaption(image, profile.caption, ctx)
    if (caption.source === 'class') {
      // Never an empty caption file: the class tokens, and the plan says so.
      warnings.push(
        `${image.path}: no caption text in any language and no tags; the class tokens "${subset.classTokens}" were written instead`
      )
    }
    const item: PlannedImage = { image, subset, stem, caption, intended: intendedOf(caption) }
    subset.items.push(item)
    items.push(item)
  }
  if (regSkipped > 0)
    warnings.push(
      `${regSkipped} regularisation image(s) skipped: the ${profile.format} format has none`
    )
  return { subsets: [...subsets.values()], items, renamed, warnings, skipped }
}
