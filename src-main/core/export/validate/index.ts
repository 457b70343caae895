/**
 * validateExport: reads an export back the way its trainer would, compares what each image
 * trains on with the caption the plan meant (fidelity), and checks the manifest. The intended
 * captions come from the exporter's plan when it validates its own export, else from
 * manifest.json, so an export can be re-validated after it was moved.
 */
import path from 'node:path'
import type { ExportFormat, ValidationReport } from '../types'
import {
  checkManifest,
  isTable,
  Issues,
  ReadBack,
  readManifest,
  type FormatReadBack
} from './common'
import { Fidelity, type Intended } from './fidelity'
import { validateKohya } from './kohya'
import { validateFineTune, validateHf, validateHunyuan, validateOneTrainer } from './others'

export { parseKohyaFolderName, validateKohya, KOHYA_IMAGE_EXTENSIONS } from './kohya'

const READERS: Record<
  ExportFormat,
  (root: string, rb: ReadBack, issues: Issues, f: Fidelity) => Promise<FormatReadBack>
> = {
  kohya: validateKohya,
  sdscripts: validateFineTune,
  hf: validateHf,
  hunyuan: validateHunyuan,
  onetrainer: validateOneTrainer
}

/** `images[].intended` of a manifest, keyed by the image's export-relative path. */
function intendedFromManifest(m: unknown): Map<string, Intended> | null {
  if (!isTable(m) || !Array.isArray(m.images)) return null
  const out = new Map<string, Intended>()
  for (const e of m.images) {
    if (!isTable(e) || typeof e.image !== 'string' || !isTable(e.intended)) return null
    const { alternatives, fixed } = e.intended
    if (!Array.isArray(alternatives) || !alternatives.every((a) => typeof a === 'string'))
      return null
    out.set(e.image, { alternatives: alternatives as string[], fixed: String(fixed ?? '') })
  }
  return out
}

export interface ValidateOptions {
  /** the plan's intended caption per image (export-relative path); default: manifest.json's */
  intended?: ReadonlyMap<string, Intended>
}

export async function validateExport(
  root: string,
  format: ExportFormat,
  opts: ValidateOptions = {}
): Promise<ValidationReport> {
  const dir = path.resolve(root)
  // one pass: folders listed once, shared by the format's reader and the manifest check
  const rb = new ReadBack()
  const issues = new Issues()
  const manifest = await readManifest(dir)
  const intended = opts.intended ?? intendedFromManifest(manifest)
  if (!intended)
    issues.warn(
      'manifest.json has no intended captions: what the trainer reads was not compared with the approved captions'
    )
  const fidelity = new Fidelity(dir, intended ?? null, issues)
  const read = await READERS[format](dir, rb, issues, fidelity)
  fidelity.finish()
  await checkManifest(dir, manifest, issues, rb)
  return {
    format,
    ok: issues.ok,
    issues: issues.list,
    subsets: read.subsets,
    images: read.subsets.reduce((n, s) => n + s.images, 0),
    fidelity: { checked: fidelity.checked, matched: fidelity.matched },
    runFromExport: read.relative
  }
}
