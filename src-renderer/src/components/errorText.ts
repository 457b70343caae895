/**
 * Errors in words: a failed call becomes one sentence for the user — what kind of problem it is
 * (in the UI language) and the core's own message, which names the file or thing and the reason.
 * The contract's code is never shown on its own.
 */
import type { TFunction } from 'i18next'
import { ERROR_CODES } from '@shared/constants'
import { CallError } from '../api/client'

type Code = (typeof ERROR_CODES)[number]
const isCode = (c: string): c is Code => (ERROR_CODES as readonly string[]).includes(c)

export function errorText(t: TFunction, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e)
  if (!(e instanceof CallError) || !isCode(e.code)) return message
  const lead = t(`errors.${e.code}`)
  return message ? `${lead} ${message}` : lead
}
