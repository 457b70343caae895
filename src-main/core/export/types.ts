/**
 * Export engine types. An exporter takes plain image records (built by the caller from the
 * database), a profile, a destination, an AbortSignal and a progress callback; it never reads the
 * database itself, so jobs, CLI and tests drive it the same way. The profile schema is the
 * contract's (shared/contract/export.ts), so what the API accepts is what the exporter takes.
 */
import {
  EXPORT_FORMATS,
  ExportProfileSchema,
  type ExportFormatName,
  type ExportCaptionPlan,
  type ExportPortability,
  type ExportProfileArg,
  type ExportProfileData,
  type ExportValidationReport
} from '../../shared/api'

export { EXPORT_FORMATS }
export type ExportFormat = ExportFormatName

export interface ExportImage {
  id: number
  /** absolute source path (read-only) */
  path: string
  /** '' = the profile's defaultConcept */
  concept: string
  /** kohya repeats; null/undefined = the profile default */
  repeats?: number | null
  isReg?: boolean
  status?: 'unreviewed' | 'approved' | 'rejected' | 'needs-work'
  zh?: string
  en?: string
  tags?: string[]
  /** per-image trigger words (the profile's go first) */
  triggerWords?: string[]
  /** import facts: when size and mtime still match, the sha256 is reused for the manifest */
  sha256?: string | null
  bytes?: number | null
  mtimeMs?: number | null
}

/** The export profile: the contract's schema (core re-validates with it, applying defaults). */
export const ExportProfile = ExportProfileSchema
export type ExportProfile = ExportProfileData
export type ExportProfileInput = ExportProfileArg
export type CaptionProfile = ExportProfile['caption']
export type KohyaProfile = ExportProfile['kohya']
export type ImageProfile = ExportProfile['image']

export interface ExportProgress {
  phase: 'check' | 'images' | 'metadata' | 'manifest' | 'finish' | 'validate'
  done: number
  total: number
}

export interface ExportOptions {
  images: readonly ExportImage[]
  profile: ExportProfileInput
  destination: string
  /** import roots; the destination may not be inside, equal to or around any of them */
  sourceRoots?: readonly string[]
  signal?: AbortSignal
  onProgress?: (p: ExportProgress) => void
  /** images placed at once (default 8) */
  concurrency?: number
}

export interface RenamedFile {
  imageId: number
  source: string
  exported: string
  reason: string
}

export interface ManifestFile {
  path: string
  bytes: number
  sha256: string
}

/** The independent validation pass's report: the contract's shape, as export.report returns it. */
export type ValidationReport = ExportValidationReport
export type ValidationIssue = ValidationReport['issues'][number]

export interface ExportResult {
  destination: string
  format: ExportFormat
  exported: number
  skipped: Array<{ imageId: number; source: string; reason: string }>
  renamed: RenamedFile[]
  warnings: string[]
  linkFallbacks: number
  files: number
  bytes: number
  validation: ValidationReport
  /** composition and per-source counts of the exported images */
  captions: ExportCaptionPlan
  portability: ExportPortability
  timings: { totalMs: number; validateMs: number }
}
