/** Bad-argument cases for the review methods (src-main/shared/contract/review.ts). */
export const reviewBad: Record<string, unknown[]> = {}
