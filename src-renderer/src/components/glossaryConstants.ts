/** The contract's enumerations the glossary and editor UI list (zod-free: @shared/constants). */
export {
  CAPTION_FIELDS,
  GLOSSARY_KINDS,
  INJECTION_MODES,
  LINT_RULES,
  SCRIPTS
} from '@shared/constants'
