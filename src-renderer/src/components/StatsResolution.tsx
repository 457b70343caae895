import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import {
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis
} from 'recharts'
import type { ImageFilter } from '@shared/api'
import { useCall } from '../api/query'
import { ACCENT, AXIS, ChartCard, ChartEmpty, TOOLTIP_STYLE } from './ChartCard'
import type { GridLink } from './StatsLinks'

/** Resolution scatter (a point filters the grid to that size, or its bin) and aspect histogram. */
export function StatsResolution({
  filter,
  onFilter
}: {
  filter: ImageFilter
  onFilter(link: GridLink): void
}): ReactNode {
  const { t } = useTranslation()
  const q = useCall('stats.resolution', { filter, maxPoints: 2000 })
  const d = q.data
  const aspect = (d?.aspect ?? []).map((a, k, all) => ({
    ...a,
    k,
    label:
      k === 0
        ? `<${a.to.toFixed(2)}`
        : k === all.length - 1
          ? `${a.from.toFixed(2)}+`
          : a.from.toFixed(2)
  }))
  const pointFilter = (w: number, h: number): GridLink => {
    if (!d || d.binSize === 1)
      return { width: { min: w, max: w + 1 }, height: { min: h, max: h + 1 } }
    const half = d.binSize / 2
    return {
      width: { min: Math.max(0, w - half), max: w + half },
      height: { min: Math.max(0, h - half), max: h + half }
    }
  }
  return (
    <ChartCard
      id="resolution"
      wide
      title={t('stats.resolutionTitle')}
      summary={
        d &&
        t('stats.resolutionSummary', {
          images: d.images,
          sizes: d.points.length,
          unknown: d.unknown,
          bin: d.binSize
        })
      }
      hint={t('stats.clickPoint')}
    >
      {!d ? (
        <ChartEmpty text={t('grid.loading')} />
      ) : !d.points.length ? (
        <ChartEmpty text={t('stats.noSizes')} />
      ) : (
        <div className="chart-pair">
          <div className="chart-sub" data-testid="resolution-scatter">
            <div className="chart-subtitle">{t('stats.scatterTitle')}</div>
            <ResponsiveContainer width="100%" height={260}>
              <ScatterChart margin={{ left: 0, right: 16, top: 8, bottom: 16 }}>
                <CartesianGrid stroke="var(--border)" />
                <XAxis
                  type="number"
                  dataKey="width"
                  name={t('stats.width')}
                  unit="px"
                  tick={AXIS}
                />
                <YAxis
                  type="number"
                  dataKey="height"
                  name={t('stats.height')}
                  unit="px"
                  tick={AXIS}
                  width={56}
                />
                <ZAxis type="number" dataKey="count" range={[30, 400]} name={t('stats.images')} />
                <Tooltip {...TOOLTIP_STYLE} cursor={{ strokeDasharray: '3 3' }} />
                <Scatter
                  data={d.points}
                  fill={ACCENT}
                  fillOpacity={0.7}
                  isAnimationActive={false}
                  cursor="pointer"
                  onClick={(_, i) => {
                    const p = d.points[i]
                    if (p) onFilter(pointFilter(p.width, p.height))
                  }}
                />
              </ScatterChart>
            </ResponsiveContainer>
          </div>
          <div className="chart-sub" data-testid="resolution-aspect">
            <div className="chart-subtitle">{t('stats.aspectTitle')}</div>
            <ResponsiveContainer width="100%" height={260}>
              <BarChart
                data={aspect}
                margin={{ left: 0, right: 12, top: 8, bottom: 16 }}
                barCategoryGap={1}
              >
                <CartesianGrid vertical={false} stroke="var(--border)" />
                <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
                <YAxis tick={AXIS} allowDecimals={false} width={44} />
                <Tooltip {...TOOLTIP_STYLE} cursor={{ fill: 'var(--bg-hover)' }} />
                <Bar
                  dataKey="count"
                  name={t('stats.images')}
                  fill={ACCENT}
                  isAnimationActive={false}
                  cursor="pointer"
                  onClick={(_, i) => {
                    const a = aspect[i]
                    if (!a) return
                    onFilter({
                      aspect: {
                        ...(a.k > 0 ? { min: a.from } : {}),
                        ...(a.k < aspect.length - 1 ? { max: a.to } : {})
                      }
                    })
                  }}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
      )}
    </ChartCard>
  )
}
