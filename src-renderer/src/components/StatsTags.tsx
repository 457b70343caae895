import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { ImageFilter } from '@shared/api'
import { useCall } from '../api/query'
import { ACCENT, AXIS, ChartCard, ChartEmpty, TOOLTIP_STYLE } from './ChartCard'
import type { GridLink } from './StatsLinks'

const TOPS = [10, 30, 100] as const

/** Tag frequency: the top N tags as bars (a click filters the grid by the tag), and the long tail. */
export function StatsTags({
  filter,
  onFilter
}: {
  filter: ImageFilter
  onFilter(link: GridLink): void
}): ReactNode {
  const { t } = useTranslation()
  const [top, setTop] = useState<number>(30)
  const q = useCall('stats.tags', { filter, top })
  const d = q.data
  const rows = d?.top ?? []
  return (
    <ChartCard
      id="tags"
      wide
      title={t('stats.tagsTitle')}
      controls={
        <select
          className="select"
          aria-label={t('stats.topN')}
          value={top}
          onChange={(e) => setTop(Number(e.target.value))}
        >
          {TOPS.map((n) => (
            <option key={n} value={n}>
              {t('stats.topOption', { count: n })}
            </option>
          ))}
        </select>
      }
      summary={
        d &&
        t('stats.tagsSummary', {
          distinct: d.distinct,
          withTags: d.imagesWithTags,
          images: d.images,
          tail: d.longTail.tags,
          tailUses: d.longTail.occurrences,
          singletons: d.longTail.singletons
        })
      }
      hint={t('stats.clickTag')}
    >
      {!d ? (
        <ChartEmpty text={t('grid.loading')} />
      ) : !rows.length ? (
        <ChartEmpty text={t('stats.noTags')} />
      ) : (
        <ResponsiveContainer width="100%" height={Math.max(160, rows.length * 18 + 40)}>
          <BarChart
            data={rows}
            layout="vertical"
            margin={{ left: 8, right: 16, top: 4, bottom: 4 }}
          >
            <CartesianGrid horizontal={false} stroke="var(--border)" />
            <XAxis type="number" tick={AXIS} allowDecimals={false} />
            <YAxis type="category" dataKey="tag" tick={AXIS} width={130} interval={0} />
            <Tooltip {...TOOLTIP_STYLE} cursor={{ fill: 'var(--bg-hover)' }} />
            <Bar
              dataKey="count"
              name={t('stats.images')}
              fill={ACCENT}
              isAnimationActive={false}
              cursor="pointer"
              onClick={(_, i) => {
                const r = rows[i]
                if (r) onFilter({ tags: [r.tag] })
              }}
            />
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  )
}
