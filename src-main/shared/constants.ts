/**
 * Shared constants and defaults, free of zod and of any environment, so the renderer can import
 * them without pulling the schema library into its bundle. The contract (./schemas.ts,
 * ./contract/*.ts) builds its enums from these arrays; core and renderer import them from here.
 */
import type { ExportProfileData } from './contract/export'

export const LANGS = ['zh', 'en'] as const
export const REVIEW_STATUSES = ['unreviewed', 'approved', 'rejected', 'needs-work'] as const
export const SORT_KEYS = ['name', 'folder', 'added', 'status', 'width', 'height'] as const

/** Structured caption fields, in Hunyuan-Captioner's order (then lighting and in-image text). */
export const CAPTION_FIELDS = [
  'subject',
  'appearance',
  'action',
  'background',
  'composition',
  'style',
  'culture',
  'atmosphere',
  'lighting',
  'text'
] as const

export const JOB_STATUSES = [
  'queued',
  'running',
  'interrupted',
  'cancelled',
  'done',
  'failed'
] as const
export const JOB_KINDS = [
  'import',
  'caption',
  'download',
  'export',
  'bulk',
  'phash',
  'undo'
] as const

export const MEDIA_VARIANTS = ['thumb', 'preview', 'full'] as const

export const ERROR_CODES = [
  'INVALID_ARGS',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'CONFLICT',
  'DB_TOO_NEW',
  'IO_ERROR',
  'CANCELLED',
  'FORBIDDEN',
  'UNAVAILABLE',
  'INTERNAL',
  /** the file exists but is not a Glossa library (another program's SQLite file, an empty or
   * non-SQLite file): refused and left byte-for-byte as it was */
  'NOT_A_LIBRARY',
  /** SQLite found damage in the library file; it was opened read-only and never written */
  'LIBRARY_CORRUPT',
  /** the library (or this connection to it) is read-only: a write was refused */
  'READ_ONLY',
  /** another process holds a lock on the library longer than the busy timeout; try again */
  'BUSY',
  /** a request, value or result over its size limit */
  'TOO_LARGE',
  /** a request (body) or operation took longer than its limit */
  'TIMEOUT',
  /** the disk (or quota) is full */
  'DISK_FULL'
] as const

export const GLOSSARY_KINDS = [
  'person',
  'character',
  'landmark',
  'food',
  'object',
  'style',
  'term'
] as const
export const INJECTION_MODES = ['replace-alias', 'insert-if-absent', 'prepend-trigger'] as const

export const LINT_RULES = [
  'alias-without-name',
  'trigger-missing',
  'traits-restated',
  'mixed-language',
  'over-budget',
  'knowledge-missing',
  'no-caption',
  'emptied-by-cleanup'
] as const
export const SCRIPTS = ['simplified', 'traditional', 'taiwan', 'hongkong'] as const

export const IMPORT_FORMATS = ['auto', 'folder', 'kohya', 'sdscripts', 'hf', 'hunyuan'] as const
/** how an import reads a caption: tag lists become tags ('auto' decides per caption) */
export const CAPTION_KIND_MODES = ['auto', 'tags', 'text'] as const
export type CaptionKindMode = (typeof CAPTION_KIND_MODES)[number]
export const CLEANUP_PRESETS = ['web-scrape', 'kohya', 'tags', 'normalise'] as const
export const CLEANUP_FIELDS = ['zh', 'en', 'tags'] as const
/** onnxruntime execution providers Glossa can ask for (the CPU is always there). */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'dml', 'coreml'] as const

export const EXPORT_FORMATS = ['kohya', 'sdscripts', 'hf', 'hunyuan', 'onetrainer'] as const
/**
 * Caption language of an export: 'auto' is the format's default (HunyuanDiT trains on Chinese:
 * zh first; the others: en first). zh and en fall back per image to the other language when the
 * chosen one is empty, so no default drops a caption.
 */
export const EXPORT_LANGUAGES = ['auto', 'zh', 'en', 'both'] as const
/** Multi-line captions: joined into one (default), or each line an alternative the trainer picks. */
export const EXPORT_LINE_MODES = ['join', 'alternatives'] as const
/** Paths written into trainer configs: relative to the export (portable, default) or absolute. */
export const EXPORT_PATH_MODES = ['relative', 'absolute'] as const
/**
 * Where an exported caption came from: the chosen language(s), the other language because the
 * chosen one was empty, tags only (no caption text), or the class tokens (no text, no tags).
 */
export const EXPORT_CAPTION_SOURCES = [
  'zh',
  'en',
  'both',
  'fallback-zh',
  'fallback-en',
  'tags',
  'class'
] as const

/** The language an export writes first when the profile says 'auto'. */
export function defaultExportLanguage(format: (typeof EXPORT_FORMATS)[number]): 'zh' | 'en' {
  return format === 'hunyuan' ? 'zh' : 'en'
}

/** Formats whose trainer can treat the lines of a caption as alternatives (one per step). */
export const EXPORT_ALTERNATIVE_FORMATS: ReadonlySet<(typeof EXPORT_FORMATS)[number]> = new Set([
  'kohya',
  'sdscripts',
  'onetrainer'
])

/**
 * The export profile a new export starts from: exactly what ExportProfileSchema.parse gives for
 * `{ format: 'kohya' }` (a unit test holds the two together), without zod, for the studio.
 */
export const DEFAULT_EXPORT_PROFILE = {
  name: '',
  format: 'kohya',
  status: 'approved',
  defaultConcept: 'images',
  paths: 'relative',
  caption: {
    language: 'auto',
    lines: 'join',
    triggerWords: [],
    includeText: true,
    includeTags: true,
    separator: ', ',
    keepTokens: 'none',
    keepTokensSeparator: '|||'
  },
  kohya: {
    resolution: 1024,
    batchSize: 1,
    enableBucket: true,
    minBucketReso: 256,
    maxBucketReso: 2048,
    bucketResoSteps: 64,
    defaultRepeats: 1,
    classTokens: {}
  },
  image: { mode: 'copy', bakeOrientation: false, format: 'keep', quality: 92 }
} satisfies ExportProfileData

/**
 * What a `library.changed` event says changed, so a client re-reads only the queries that depend
 * on it: 'datasets' (names, the set of datasets), 'images' (rows added, removed or moved, concepts,
 * repeats), 'captions', 'tags', 'status' (review status), 'glossary', 'models', 'settings',
 * 'cleanupRules', 'exportProfiles'. An event without kinds means anything may have changed.
 */
export const CHANGE_KINDS = [
  'datasets',
  'images',
  'captions',
  'tags',
  'status',
  'glossary',
  'models',
  'settings',
  'cleanupRules',
  'exportProfiles'
] as const
