/** Bad-argument cases for the glossary methods (src-main/shared/contract/glossary.ts). */
export const glossaryBad: Record<string, unknown[]> = {}
