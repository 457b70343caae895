import type { ReactNode } from 'react'
import type { ReviewStatus } from '@shared/api'

/** Plot colours: CSS variables of the theme, so light and dark both read well. */
export const STATUS_COLOURS: Record<ReviewStatus, string> = {
  unreviewed: 'var(--neutral)',
  approved: 'var(--ok)',
  rejected: 'var(--danger)',
  'needs-work': 'var(--warn)'
}
export const ACCENT = 'var(--accent)'
export const MUTED = 'var(--text-muted)'
export const WARN = 'var(--warn)'
export const DANGER = 'var(--danger)'
export const AXIS = { fontSize: 11, fill: 'var(--text-muted)' }
export const TOOLTIP_STYLE = {
  contentStyle: {
    background: 'var(--bg-elev)',
    border: '1px solid var(--border)',
    borderRadius: 6,
    fontSize: 12
  },
  labelStyle: { color: 'var(--text)' },
  itemStyle: { color: 'var(--text)' }
}

/** One plot of the dashboard: a title, optional controls and a summary line. */
export function ChartCard({
  id,
  title,
  summary,
  controls,
  hint,
  children,
  wide
}: {
  id: string
  title: string
  summary?: ReactNode
  controls?: ReactNode
  hint?: string
  children: ReactNode
  wide?: boolean
}): ReactNode {
  return (
    <section className={`chart-card ${wide ? 'chart-wide' : ''}`} data-testid={`chart-${id}`}>
      <header className="chart-head">
        <h2 className="chart-title">{title}</h2>
        {controls && <div className="chart-controls">{controls}</div>}
      </header>
      {summary && <div className="chart-summary">{summary}</div>}
      <div className="chart-body">{children}</div>
      {hint && <div className="chart-hint">{hint}</div>}
    </section>
  )
}

export function ChartEmpty({ text }: { text: string }): ReactNode {
  return <div className="chart-empty">{text}</div>
}
