/**
 * Shared constants and defaults, free of zod and of any environment, so the renderer can import
 * them without pulling the schema library into its bundle. The contract (./schemas.ts,
 * ./contract/*.ts) builds its enums from these arrays; core and renderer import them from here.
 */

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
  'INTERNAL'
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
  'knowledge-missing'
] as const
export const SCRIPTS = ['simplified', 'traditional', 'taiwan', 'hongkong'] as const

export const IMPORT_FORMATS = ['auto', 'folder', 'kohya', 'sdscripts', 'hf', 'hunyuan'] as const
export const CLEANUP_PRESETS = ['web-scrape', 'kohya', 'tags', 'normalise'] as const
export const CLEANUP_FIELDS = ['zh', 'en', 'tags'] as const
/** onnxruntime execution providers Glossa can ask for (the CPU is always there). */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'dml', 'coreml'] as const

export const EXPORT_FORMATS = ['kohya', 'sdscripts', 'hf', 'hunyuan', 'onetrainer'] as const

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
