/** Bad-argument cases for the captioning methods (src-main/shared/contract/captioning.ts). */
export const captioningBad: Record<string, unknown[]> = {}
