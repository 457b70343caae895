/**
 * The review part of the contract: argument schemas and result types, merged into api.ts.
 * Import building blocks from ../schemas (never from ../api, which imports this file).
 */
import { z } from 'zod'

export const reviewArgs = {} satisfies Record<string, z.ZodType>

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ReviewResults {}
