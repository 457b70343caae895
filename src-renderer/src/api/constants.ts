import type { ReviewStatus } from '@shared/api'

/**
 * Runtime copies of contract enums. Importing values from @shared/api would pull zod's schemas
 * into the bundle; the types below keep these lists in step with the contract.
 */
export const REVIEW_STATUSES = [
  'unreviewed',
  'approved',
  'rejected',
  'needs-work'
] as const satisfies readonly ReviewStatus[]

type _Complete =
  Exclude<ReviewStatus, (typeof REVIEW_STATUSES)[number]> extends never ? true : never
const _complete: _Complete = true
void _complete
