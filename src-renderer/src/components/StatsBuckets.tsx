import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts'
import type { BucketFilter, ImageFilter } from '@shared/api'
import { useCall } from '../api/query'
import { ACCENT, AXIS, ChartCard, ChartEmpty, TOOLTIP_STYLE, WARN } from './ChartCard'
import type { GridLink } from './StatsLinks'

type Settings = Omit<BucketFilter, 'width' | 'height'>
const RESOLUTIONS = [512, 768, 1024, 1280, 1536, 2048]
const STEPS = [8, 16, 32, 64, 128]

/** kohya bucket distribution for chosen settings, with how many images would be upscaled. */
export function StatsBuckets({
  filter,
  onFilter
}: {
  filter: ImageFilter
  onFilter(link: GridLink): void
}): ReactNode {
  const { t } = useTranslation()
  const [s, setS] = useState<Settings>({
    resolution: [1024, 1024],
    enableBucket: true,
    minReso: 256,
    maxReso: 1024,
    steps: 64,
    noUpscale: false
  })
  const set = (patch: Partial<Settings>): void => setS((o) => ({ ...o, ...patch }))
  const q = useCall('stats.buckets', { filter, ...s })
  const d = q.data
  const rows = (d?.buckets ?? []).map((b) => ({
    ...b,
    label: `${b.width}×${b.height}`,
    fit: b.images - b.upscaled
  }))
  const click = (i: number): void => {
    const b = rows[i]
    if (b) onFilter({ bucket: { ...s, width: b.width, height: b.height } })
  }
  return (
    <ChartCard
      id="buckets"
      wide
      title={t('stats.bucketsTitle')}
      controls={
        <div className="chart-form">
          <label>
            {t('stats.resolution')}
            <select
              className="select"
              value={s.resolution[0]}
              onChange={(e) => {
                const r = Number(e.target.value)
                set({ resolution: [r, r], maxReso: Math.max(s.maxReso, r) })
              }}
              data-testid="bucket-resolution"
            >
              {RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {r}×{r}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('stats.steps')}
            <select
              className="select"
              value={s.steps}
              onChange={(e) => set({ steps: Number(e.target.value) })}
            >
              {STEPS.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('stats.minReso')}
            <input
              className="input chart-num"
              type="number"
              min={64}
              max={s.maxReso}
              step={64}
              value={s.minReso}
              onChange={(e) => set({ minReso: Number(e.target.value) || 256 })}
            />
          </label>
          <label>
            {t('stats.maxReso')}
            <input
              className="input chart-num"
              type="number"
              min={s.resolution[0]}
              max={8192}
              step={64}
              value={s.maxReso}
              onChange={(e) => set({ maxReso: Number(e.target.value) || 1024 })}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={s.enableBucket}
              onChange={(e) => set({ enableBucket: e.target.checked })}
            />
            {t('stats.enableBucket')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={s.noUpscale}
              onChange={(e) => set({ noUpscale: e.target.checked })}
            />
            {t('stats.noUpscale')}
          </label>
        </div>
      }
      summary={
        q.error ? (
          <span className="chart-over">{q.error.message}</span>
        ) : (
          d &&
          t('stats.bucketsSummary', {
            images: d.images,
            buckets: d.buckets.length,
            upscaled: d.upscaled,
            weighted: d.weighted
          })
        )
      }
      hint={t('stats.clickBucket')}
    >
      {!d ? (
        <ChartEmpty text={q.error ? '' : t('grid.loading')} />
      ) : !rows.length ? (
        <ChartEmpty text={t('stats.noSizes')} />
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={rows} margin={{ left: 0, right: 12, top: 8, bottom: 24 }}>
            <CartesianGrid vertical={false} stroke="var(--border)" />
            <XAxis
              dataKey="label"
              tick={AXIS}
              angle={-35}
              textAnchor="end"
              height={50}
              interval="preserveStartEnd"
            />
            <YAxis tick={AXIS} allowDecimals={false} width={44} />
            <Tooltip {...TOOLTIP_STYLE} cursor={{ fill: 'var(--bg-hover)' }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar
              dataKey="fit"
              stackId="b"
              name={t('stats.bucketFit')}
              fill={ACCENT}
              isAnimationActive={false}
              cursor="pointer"
              onClick={(_, i) => click(i)}
            />
            <Bar
              dataKey="upscaled"
              stackId="b"
              name={t('stats.bucketUpscaled')}
              fill={WARN}
              isAnimationActive={false}
              cursor="pointer"
              onClick={(_, i) => click(i)}
            />
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  )
}
