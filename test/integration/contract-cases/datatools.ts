/** Bad-argument cases for the datatools methods (src-main/shared/contract/datatools.ts). */
export const datatoolsBad: Record<string, unknown[]> = {}
