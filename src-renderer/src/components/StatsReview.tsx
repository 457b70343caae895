import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts'
import type { ImageFilter, ReviewStatus } from '@shared/api'
import { useCall } from '../api/query'
import { REVIEW_STATUSES } from '../api/constants'
import { AXIS, ChartCard, ChartEmpty, STATUS_COLOURS, TOOLTIP_STYLE } from './ChartCard'
import type { GridLink } from './StatsLinks'

type Interval = 'hour' | 'day' | 'week'

/**
 * Review progress: images by status now (a slice filters the grid by that status), and status
 * changes over time per status, for everyone or one reviewer (a bar segment filters the grid by
 * the status it sets), with the reviewers' totals.
 */
export function StatsReview({
  filter,
  onFilter
}: {
  filter: ImageFilter
  onFilter(link: GridLink): void
}): ReactNode {
  const { t, i18n } = useTranslation()
  const [interval, setSlot] = useState<Interval>('day')
  const [actor, setActor] = useState<string | null>(null)
  const q = useCall('stats.review', {
    filter,
    interval,
    tzOffsetMinutes: -new Date().getTimezoneOffset()
  })
  const d = q.data
  const slices = REVIEW_STATUSES.map((s) => ({
    status: s,
    name: t(`status.${s}`),
    value: d?.byStatus[s] ?? 0
  })).filter((x) => x.value > 0)
  const timeline = useMemo(() => {
    const bySlot = new Map<number, Record<string, number | string>>()
    for (const e of d?.timeline ?? []) {
      if (actor !== null && e.actor !== actor) continue
      let row = bySlot.get(e.slot)
      if (!row) {
        const fmt = new Intl.DateTimeFormat(i18n.language, {
          month: 'short',
          day: 'numeric',
          ...(interval === 'hour' ? { hour: '2-digit' } : {})
        })
        row = { slot: e.slot, label: fmt.format(new Date(e.slot)) }
        bySlot.set(e.slot, row)
      }
      row[e.status] = ((row[e.status] as number | undefined) ?? 0) + e.count
    }
    return [...bySlot.values()].sort((a, b) => (a.slot as number) - (b.slot as number))
  }, [d, actor, interval, i18n.language])
  const total = slices.reduce((n, s) => n + s.value, 0)
  const reviewed = total - (d?.byStatus.unreviewed ?? 0)

  return (
    <ChartCard
      id="review"
      wide
      title={t('stats.reviewTitle')}
      summary={
        d &&
        t('stats.reviewSummary', {
          reviewed,
          total,
          pct: total ? Math.round((reviewed / total) * 100) : 0
        })
      }
      controls={
        <>
          <select
            className="select"
            aria-label={t('stats.reviewer')}
            value={actor ?? ''}
            onChange={(e) => setActor(e.target.value === '' ? null : e.target.value)}
          >
            <option value="">{t('stats.allReviewers')}</option>
            {d?.reviewers.map((r) => (
              <option key={r.actor} value={r.actor}>
                {r.actor || t('stats.anonymous')} ({r.changes})
              </option>
            ))}
          </select>
          <select
            className="select"
            aria-label={t('stats.interval')}
            value={interval}
            onChange={(e) => setSlot(e.target.value as Interval)}
          >
            {(['hour', 'day', 'week'] as const).map((i) => (
              <option key={i} value={i}>
                {t(`stats.interval_${i}`)}
              </option>
            ))}
          </select>
        </>
      }
      hint={t('stats.clickStatus')}
    >
      {!d ? (
        <ChartEmpty text={t('grid.loading')} />
      ) : (
        <div className="chart-pair chart-pair-review">
          <div className="chart-sub" data-testid="review-status">
            <div className="chart-subtitle">{t('stats.byStatus')}</div>
            <ResponsiveContainer width="100%" height={240}>
              <PieChart>
                <Pie
                  data={slices}
                  dataKey="value"
                  nameKey="name"
                  innerRadius={50}
                  outerRadius={90}
                  isAnimationActive={false}
                  cursor="pointer"
                  onClick={(_, i) => {
                    const s = slices[i]
                    if (s) onFilter({ status: [s.status] })
                  }}
                >
                  {slices.map((s) => (
                    <Cell key={s.status} fill={STATUS_COLOURS[s.status]} data-status={s.status} />
                  ))}
                </Pie>
                <Tooltip {...TOOLTIP_STYLE} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
              </PieChart>
            </ResponsiveContainer>
          </div>
          <div className="chart-sub" data-testid="review-timeline">
            <div className="chart-subtitle">{t('stats.overTime')}</div>
            {!timeline.length ? (
              <ChartEmpty text={t('stats.noChanges')} />
            ) : (
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={timeline} margin={{ left: 0, right: 12, top: 8, bottom: 4 }}>
                  <CartesianGrid vertical={false} stroke="var(--border)" />
                  <XAxis dataKey="label" tick={AXIS} />
                  <YAxis tick={AXIS} allowDecimals={false} width={44} />
                  <Tooltip {...TOOLTIP_STYLE} cursor={{ fill: 'var(--bg-hover)' }} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {REVIEW_STATUSES.map((s: ReviewStatus) => (
                    <Bar
                      key={s}
                      dataKey={s}
                      stackId="r"
                      name={t(`status.${s}`)}
                      fill={STATUS_COLOURS[s]}
                      isAnimationActive={false}
                      cursor="pointer"
                      onClick={() => onFilter({ status: [s] })}
                    />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            )}
            {d.reviewers.length > 0 && (
              <table className="chart-table" data-testid="reviewers">
                <thead>
                  <tr>
                    <th>{t('stats.reviewer')}</th>
                    <th className="num">{t('stats.changes')}</th>
                    <th>{t('stats.lastAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.reviewers.map((r) => (
                    <tr key={r.actor}>
                      <td>{r.actor || t('stats.anonymous')}</td>
                      <td className="num">{r.changes}</td>
                      <td>{new Date(r.lastAt).toLocaleString(i18n.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </ChartCard>
  )
}
