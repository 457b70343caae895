import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExtraFilter } from './StatsLinks'
import '../styles/stats.css'

interface Range {
  min?: number
  max?: number
}

const num = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2))

/** A half-open range as people read it: whole numbers as "a–b" (inclusive), others "a ≤ x < b". */
export function rangeText(r: Range, integer: boolean): string {
  if (r.min !== undefined && r.max !== undefined) {
    if (integer) return r.max - 1 === r.min ? num(r.min) : `${num(r.min)}–${num(r.max - 1)}`
    return `${num(r.min)}–${num(r.max)}`
  }
  if (r.min !== undefined) return `≥ ${num(r.min)}`
  if (r.max !== undefined) return `< ${num(r.max)}`
  return '*'
}

/** The dashboard's filters as removable chips in the filter bar. */
export function ExtraChips({
  value,
  onChange
}: {
  value: ExtraFilter
  onChange(v: ExtraFilter | undefined): void
}): ReactNode {
  const { t } = useTranslation()
  const without = (patch: Partial<ExtraFilter>, drop: keyof ExtraFilter | null): void => {
    const next: ExtraFilter = { ...value, ...patch }
    if (drop) delete next[drop]
    onChange(Object.keys(next).length ? next : undefined)
  }
  const chips: { key: string; label: string; remove(): void }[] = []
  for (const tag of value.tags ?? []) {
    const rest = (value.tags ?? []).filter((x) => x !== tag)
    chips.push({
      key: `tag:${tag}`,
      label: t('stats.chipTag', { tag }),
      remove: () => (rest.length ? without({ tags: rest }, null) : without({}, 'tags'))
    })
  }
  if (value.width)
    chips.push({
      key: 'width',
      label: t('stats.chipWidth', { range: rangeText(value.width, true) }),
      remove: () => without({}, 'width')
    })
  if (value.height)
    chips.push({
      key: 'height',
      label: t('stats.chipHeight', { range: rangeText(value.height, true) }),
      remove: () => without({}, 'height')
    })
  if (value.aspect)
    chips.push({
      key: 'aspect',
      label: t('stats.chipAspect', { range: rangeText(value.aspect, false) }),
      remove: () => without({}, 'aspect')
    })
  if (value.captionLength) {
    const c = value.captionLength
    chips.push({
      key: 'length',
      label: t('stats.chipLength', {
        lang: c.lang,
        range: rangeText(c, true),
        unit: t(`stats.unit_${c.unit ?? 'chars'}`)
      }),
      remove: () => without({}, 'captionLength')
    })
  }
  if (value.bucket) {
    const b = value.bucket
    chips.push({
      key: 'bucket',
      label: t('stats.chipBucket', {
        w: b.width,
        h: b.height,
        res: `${b.resolution[0]}×${b.resolution[1]}`
      }),
      remove: () => without({}, 'bucket')
    })
  }
  return (
    <div className="chip-group stats-chips" data-testid="extra-filters">
      {chips.map((c) => (
        <span key={c.key} className="chip chip-on stats-chip" data-testid={`extra-${c.key}`}>
          {c.label}
          <button
            className="stats-chip-x"
            aria-label={t('stats.removeFilter', { label: c.label })}
            onClick={c.remove}
          >
            ×
          </button>
        </span>
      ))}
    </div>
  )
}
