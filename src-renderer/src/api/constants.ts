/** The contract's enumerations (zod-free, so the studio bundle does not carry the schemas). */
export { REVIEW_STATUSES } from '@shared/constants'
