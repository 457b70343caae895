/**
 * The library's import dialog is the import wizard (ImportWizard.tsx): path → format preview →
 * import. Kept under this name for the pages that open it.
 */
export { ImportWizard as ImportDialog } from './ImportWizard'
