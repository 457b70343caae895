/**
 * A click on a dashboard plot opens the dataset's grid with a filter: the filter travels in the
 * route (`#/datasets/<id>?f=<json>`), so it survives a reload and the back button returns to the
 * dashboard. Only the grid filter's own keys are carried; the core validates the values.
 */
import type { ImageFilter, ReviewStatus } from '@shared/api'

/** The filters a plot can set (the dashboard's extension of the grid filter). */
export type ExtraFilter = Pick<
  ImageFilter,
  'tags' | 'width' | 'height' | 'aspect' | 'captionLength' | 'bucket'
>
export const EXTRA_KEYS = ['tags', 'width', 'height', 'aspect', 'captionLength', 'bucket'] as const

export interface GridLink extends ExtraFilter {
  status?: ReviewStatus[]
  search?: string
}

const LINK_KEYS = new Set<string>([...EXTRA_KEYS, 'status', 'search'])

export function linkHash(datasetId: number, link?: GridLink): string {
  const base = `#/datasets/${datasetId}`
  if (!link || !Object.keys(link).length) return base
  return `${base}?f=${encodeURIComponent(JSON.stringify(link))}`
}

/** The link in a route's query (`f=`), or undefined when absent or malformed. */
export function parseLink(query: string | undefined): GridLink | undefined {
  if (!query) return undefined
  const raw = new URLSearchParams(query).get('f')
  if (!raw) return undefined
  try {
    const v: unknown = JSON.parse(raw)
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (LINK_KEYS.has(k)) out[k] = x
    return out as GridLink
  } catch {
    return undefined
  }
}

/** The extra filters of a link (everything but status and search). */
export function extraOf(link: GridLink | undefined): ExtraFilter | undefined {
  if (!link) return undefined
  const out: ExtraFilter = {}
  let any = false
  for (const k of EXTRA_KEYS) {
    if (link[k] !== undefined) {
      ;(out as Record<string, unknown>)[k] = link[k]
      any = true
    }
  }
  return any ? out : undefined
}
