/** validateExport: reads an export back the way its trainer would and reports what it found. */
import type { ExportFormat, ValidationReport } from '../types'
import { checkManifest, Issues } from './common'
import { validateKohya } from './kohya'
import { validateFineTune, validateHf, validateHunyuan, validateOneTrainer } from './others'

export { parseKohyaFolderName, validateKohya, KOHYA_IMAGE_EXTENSIONS } from './kohya'

export async function validateExport(
  root: string,
  format: ExportFormat
): Promise<ValidationReport> {
  const report =
    format === 'kohya'
      ? await validateKohya(root)
      : format === 'sdscripts'
        ? await validateFineTune(root)
        : format === 'hf'
          ? await validateHf(root)
          : format === 'hunyuan'
            ? await validateHunyuan(root)
            : await validateOneTrainer(root)
  const manifest = new Issues()
  await checkManifest(root, manifest)
  const issues = [...report.issues, ...manifest.list]
  return { ...report, issues, ok: !issues.some((i) => i.level === 'error') }
}
