/**
 * The studio starts a new export from DEFAULT_EXPORT_PROFILE (zod-free, in shared/constants);
 * the core fills a partial profile from ExportProfileSchema's defaults. They must never drift.
 */
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_EXPORT_PROFILE,
  EXPORT_FORMATS,
  ExportProfileSchema
} from '../../src-main/shared/api'

describe('DEFAULT_EXPORT_PROFILE', () => {
  it('is what the contract makes of the minimal input', () => {
    expect(ExportProfileSchema.parse({ format: 'kohya' })).toEqual(DEFAULT_EXPORT_PROFILE)
  })

  it('is a complete profile for every format (the schema accepts it as it is)', () => {
    for (const format of EXPORT_FORMATS)
      expect(ExportProfileSchema.parse({ ...DEFAULT_EXPORT_PROFILE, format })).toEqual({
        ...DEFAULT_EXPORT_PROFILE,
        format
      })
  })

  it('never drops a language by default: the format decides which comes first', () => {
    expect(DEFAULT_EXPORT_PROFILE.caption.language).toBe('auto')
    expect(DEFAULT_EXPORT_PROFILE.caption.lines).toBe('join')
    expect(DEFAULT_EXPORT_PROFILE.paths).toBe('relative')
  })
})
