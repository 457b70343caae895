import type {
  CaptionFieldName,
  GlossaryKind,
  InjectionMode,
  LintRule,
  ScriptName
} from '@shared/api'

/**
 * Runtime copies of the glossary contract's enums (importing values from @shared/api would pull
 * zod into the bundle); `satisfies` and the checks below keep them in step with the contract.
 */
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
] as const satisfies readonly CaptionFieldName[]
export const GLOSSARY_KINDS = [
  'person',
  'character',
  'landmark',
  'food',
  'object',
  'style',
  'term'
] as const satisfies readonly GlossaryKind[]
export const INJECTION_MODES = [
  'replace-alias',
  'insert-if-absent',
  'prepend-trigger'
] as const satisfies readonly InjectionMode[]
export const LINT_RULES = [
  'alias-without-name',
  'trigger-missing',
  'traits-restated',
  'mixed-language',
  'over-budget'
] as const satisfies readonly LintRule[]
export const SCRIPTS = [
  'simplified',
  'traditional',
  'taiwan',
  'hongkong'
] as const satisfies readonly ScriptName[]

type Complete<All, Listed> = Exclude<All, Listed> extends never ? true : never
const _complete: [
  Complete<CaptionFieldName, (typeof CAPTION_FIELDS)[number]>,
  Complete<GlossaryKind, (typeof GLOSSARY_KINDS)[number]>,
  Complete<InjectionMode, (typeof INJECTION_MODES)[number]>,
  Complete<LintRule, (typeof LINT_RULES)[number]>,
  Complete<ScriptName, (typeof SCRIPTS)[number]>
] = [true, true, true, true, true]
void _complete
