/** validateExport: reads an export back the way its trainer would and reports what it found. */
import type { ExportFormat, ValidationReport } from '../types'
import { checkManifest, Issues, ReadBack } from './common'
import { validateKohya } from './kohya'
import { validateFineTune, validateHf, validateHunyuan, validateOneTrainer } from './others'

export { parseKohyaFolderName, validateKohya, KOHYA_IMAGE_EXTENSIONS } from './kohya'

export async function validateExport(
  root: string,
  format: ExportFormat
): Promise<ValidationReport> {
  // one pass: folders listed once, shared by the format's reader and the manifest check
  const rb = new ReadBack()
  const report =
    format === 'kohya'
      ? await validateKohya(root, rb)
      : format === 'sdscripts'
        ? await validateFineTune(root, rb)
        : format === 'hf'
          ? await validateHf(root, rb)
          : format === 'hunyuan'
            ? await validateHunyuan(root, rb)
            : await validateOneTrainer(root, rb)
  const manifest = new Issues()
  await checkManifest(root, manifest, rb)
  const issues = [...report.issues, ...manifest.list]
  return { ...report, issues, ok: !issues.some((i) => i.level === 'error') }
}
