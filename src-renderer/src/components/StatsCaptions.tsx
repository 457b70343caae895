import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts'
import type { Histogram, ImageFilter, Lang } from '@shared/api'
import { useCall } from '../api/query'
import { ACCENT, AXIS, ChartCard, ChartEmpty, DANGER, TOOLTIP_STYLE } from './ChartCard'
import type { GridLink } from './StatsLinks'

type Unit = 'clip' | 'mt5' | 'chars'
const UNITS: Unit[] = ['clip', 'mt5', 'chars']
const BUDGET_LABEL: Record<Unit, string> = { clip: 'CLIP 77', mt5: 'mT5 256', chars: '' }

function bins(h: Histogram): { label: string; count: number; k: number }[] {
  return h.bins.map((count, k) => ({
    label: k === h.bins.length - 1 ? `${k * h.binWidth}+` : String(k * h.binWidth),
    count,
    k
  }))
}

function LangHistogram({
  lang,
  unit,
  h,
  captions,
  empty,
  onFilter
}: {
  lang: Lang
  unit: Unit
  h: Histogram
  captions: number
  empty: number
  onFilter(link: GridLink): void
}): ReactNode {
  const { t } = useTranslation()
  const data = bins(h)
  // the budget line sits on the bin holding the budget
  const budgetBin =
    h.budget === null ? null : data[Math.min(data.length - 1, Math.floor(h.budget / h.binWidth))]
  return (
    <div className="chart-sub" data-testid={`captions-${lang}`}>
      <div className="chart-subtitle">
        {t('stats.captionsLang', { lang, captions, empty })}
        {h.budget !== null && (
          <span className={h.over ? 'chart-over' : ''}>
            {' · '}
            {t('stats.overBudget', { count: h.over, budget: h.budget })}
          </span>
        )}
      </div>
      {captions === 0 ? (
        <ChartEmpty text={t('stats.noCaptions')} />
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <BarChart
            data={data}
            margin={{ left: 0, right: 12, top: 14, bottom: 4 }}
            barCategoryGap={1}
          >
            <CartesianGrid vertical={false} stroke="var(--border)" />
            <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
            <YAxis tick={AXIS} allowDecimals={false} width={44} />
            <Tooltip {...TOOLTIP_STYLE} cursor={{ fill: 'var(--bg-hover)' }} />
            <Bar
              dataKey="count"
              name={t('stats.captions')}
              fill={ACCENT}
              isAnimationActive={false}
              cursor="pointer"
              onClick={(_, i) => {
                const b = data[i]
                if (!b) return
                const last = b.k === data.length - 1
                onFilter({
                  captionLength: {
                    lang,
                    unit,
                    ...(b.k > 0 ? { min: b.k * h.binWidth } : { min: 0 }),
                    ...(last ? {} : { max: (b.k + 1) * h.binWidth })
                  }
                })
              }}
            />
            {budgetBin && (
              <ReferenceLine
                x={budgetBin.label}
                stroke={DANGER}
                strokeDasharray="4 3"
                label={{ value: BUDGET_LABEL[unit], position: 'top', fill: DANGER, fontSize: 11 }}
              />
            )}
          </BarChart>
        </ResponsiveContainer>
      )}
    </div>
  )
}

/** Caption length histograms per language, in CLIP / mT5 tokens (with their budgets) or characters. */
export function StatsCaptions({
  filter,
  onFilter
}: {
  filter: ImageFilter
  onFilter(link: GridLink): void
}): ReactNode {
  const { t } = useTranslation()
  const [unit, setUnit] = useState<Unit>('clip')
  const q = useCall('stats.captionLengths', { filter })
  const d = q.data
  return (
    <ChartCard
      id="captions"
      wide
      title={t('stats.captionsTitle')}
      controls={
        <div className="chip-group" role="group" aria-label={t('stats.unit')}>
          {UNITS.map((u) => (
            <button
              key={u}
              className={`chip ${unit === u ? 'chip-on' : ''}`}
              aria-pressed={unit === u}
              onClick={() => setUnit(u)}
              data-testid={`unit-${u}`}
            >
              {t(`stats.unit_${u}`)}
            </button>
          ))}
        </div>
      }
      hint={t('stats.clickBin')}
    >
      {!d ? (
        <ChartEmpty text={t('grid.loading')} />
      ) : (
        <div className="chart-pair">
          {(['zh', 'en'] as const).map((lang) => (
            <LangHistogram
              key={lang}
              lang={lang}
              unit={unit}
              h={d.langs[lang][unit]}
              captions={d.langs[lang].captions}
              empty={d.langs[lang].empty}
              onFilter={onFilter}
            />
          ))}
        </div>
      )}
    </ChartCard>
  )
}
