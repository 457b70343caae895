/** The bulk dialog's operation form: the fields of the chosen operation (see BulkDraft.ts). */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { REVIEW_STATUSES } from '../api/constants'
import { useCall } from '../api/query'
import type { Draft } from './BulkDraft'

interface Props {
  datasetId: number
  d: Draft
  set(patch: Partial<Draft>): void
}

function Check({
  on,
  label,
  onChange,
  testId
}: {
  on: boolean
  label: string
  onChange(v: boolean): void
  testId?: string
}): ReactNode {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => onChange(e.target.checked)}
        data-testid={testId}
      />
      {label}
    </label>
  )
}

function LangChecks({ d, set }: Pick<Props, 'd' | 'set'>): ReactNode {
  const { t } = useTranslation()
  return (
    <div className="bulk-row">
      <span className="field-head">{t('review.bulk.langs')}</span>
      {(['zh', 'en'] as const).map((l) => (
        <Check
          key={l}
          on={d.langs.includes(l)}
          label={t(`grid.${l}`)}
          onChange={(v) => set({ langs: v ? [...d.langs, l] : d.langs.filter((x) => x !== l) })}
          testId={`bulk-lang-${l}`}
        />
      ))}
    </div>
  )
}

function TextField(p: {
  label: string
  value: string
  onChange(v: string): void
  testId: string
  placeholder?: string
  mono?: boolean
}): ReactNode {
  return (
    <label className="field">
      <span className="field-head">{p.label}</span>
      <input
        className={`input ${p.mono ? 'mono' : ''}`}
        value={p.value}
        placeholder={p.placeholder}
        onChange={(e) => p.onChange(e.target.value)}
        data-testid={p.testId}
        spellCheck={false}
      />
    </label>
  )
}

export function BulkOpForm({ datasetId, d, set }: Props): ReactNode {
  const { t } = useTranslation()
  const datasets = useCall('datasets.list', {}, { enabled: d.kind === 'move' })
  switch (d.kind) {
    case 'replace':
      return (
        <div className="bulk-form">
          <TextField
            label={d.regex ? t('review.bulk.findRegex') : t('review.bulk.find')}
            value={d.find}
            onChange={(find) => set({ find })}
            testId="bulk-find"
            mono={d.regex}
          />
          <TextField
            label={t('review.bulk.replaceWith')}
            value={d.replace}
            onChange={(replace) => set({ replace })}
            testId="bulk-replace"
            placeholder={d.regex ? '$1, $<name>, $&' : ''}
          />
          <div className="bulk-row">
            <Check
              on={d.regex}
              label={t('review.bulk.regex')}
              onChange={(regex) => set({ regex })}
              testId="bulk-regex"
            />
            <Check
              on={d.caseInsensitive}
              label={t('review.bulk.caseInsensitive')}
              onChange={(caseInsensitive) => set({ caseInsensitive })}
              testId="bulk-case"
            />
            <Check
              on={d.widthInsensitive}
              label={t('review.bulk.widthInsensitive')}
              onChange={(widthInsensitive) => set({ widthInsensitive })}
              testId="bulk-width"
            />
          </div>
          <LangChecks d={d} set={set} />
          <div className="bulk-row">
            <span className="field-head">{t('review.bulk.source')}</span>
            {(['caption', 'raw'] as const).map((s) => (
              <label key={s} className="check">
                <input
                  type="radio"
                  name="bulk-source"
                  checked={d.source === s}
                  onChange={() => set({ source: s })}
                />
                {t(`review.bulk.source_${s}`)}
              </label>
            ))}
          </div>
        </div>
      )
    case 'tags.add':
    case 'tags.remove':
    case 'tags.merge':
    case 'tags.reorder':
      return (
        <div className="bulk-form">
          {d.kind === 'tags.reorder' && (
            <div className="bulk-row">
              {(['front', 'alpha', 'score'] as const).map((m) => (
                <label key={m} className="check">
                  <input
                    type="radio"
                    name="bulk-mode"
                    checked={d.mode === m}
                    onChange={() => set({ mode: m })}
                  />
                  {t(`review.bulk.mode_${m}`)}
                </label>
              ))}
            </div>
          )}
          {(d.kind !== 'tags.reorder' || d.mode === 'front') && (
            <TextField
              label={t('review.bulk.tagList')}
              value={d.tags}
              onChange={(tags) => set({ tags })}
              testId="bulk-tags"
              placeholder="1girl, solo"
            />
          )}
          {d.kind === 'tags.add' && (
            <div className="bulk-row">
              {(['start', 'end'] as const).map((pos) => (
                <label key={pos} className="check">
                  <input
                    type="radio"
                    name="bulk-position"
                    checked={d.position === pos}
                    onChange={() => set({ position: pos })}
                  />
                  {t(`review.bulk.position_${pos}`)}
                </label>
              ))}
            </div>
          )}
          {d.kind === 'tags.merge' && (
            <TextField
              label={t('review.bulk.into')}
              value={d.to}
              onChange={(to) => set({ to })}
              testId="bulk-into"
            />
          )}
        </div>
      )
    case 'tags.rename':
      return (
        <div className="bulk-form bulk-two">
          <TextField
            label={t('review.bulk.from')}
            value={d.from}
            onChange={(from) => set({ from })}
            testId="bulk-from"
          />
          <TextField
            label={t('review.bulk.to')}
            value={d.to}
            onChange={(to) => set({ to })}
            testId="bulk-to"
          />
        </div>
      )
    case 'status':
      return (
        <div className="bulk-row">
          {REVIEW_STATUSES.map((s) => (
            <label key={s} className="check">
              <input
                type="radio"
                name="bulk-status"
                checked={d.status === s}
                onChange={() => set({ status: s })}
                data-testid={`bulk-status-${s}`}
              />
              <i className={`dot status-bg-${s}`} />
              {t(`status.${s}`)}
            </label>
          ))}
        </div>
      )
    case 'concept':
      return (
        <div className="bulk-form bulk-two">
          <div className="field">
            <Check
              on={d.setConcept}
              label={t('review.bulk.concept')}
              onChange={(setConcept) => set({ setConcept })}
            />
            <input
              className="input"
              value={d.concept}
              disabled={!d.setConcept}
              onChange={(e) => set({ concept: e.target.value })}
              data-testid="bulk-concept"
            />
          </div>
          <div className="field">
            <Check
              on={d.setRepeats}
              label={t('review.bulk.repeats')}
              onChange={(setRepeats) => set({ setRepeats })}
            />
            <input
              className="input"
              type="number"
              min={1}
              value={d.repeats}
              disabled={!d.setRepeats}
              placeholder={t('review.bulk.repeatsNone')}
              onChange={(e) => set({ repeats: e.target.value })}
              data-testid="bulk-repeats"
            />
          </div>
        </div>
      )
    case 'trigger':
      return (
        <div className="bulk-form">
          <TextField
            label={t('review.bulk.word')}
            value={d.word}
            onChange={(word) => set({ word })}
            testId="bulk-word"
          />
          <div className="bulk-row">
            {(['prepend', 'append'] as const).map((pos) => (
              <label key={pos} className="check">
                <input
                  type="radio"
                  name="bulk-trigger-at"
                  checked={d.triggerAt === pos}
                  onChange={() => set({ triggerAt: pos })}
                />
                {t(`review.bulk.trigger_${pos}`)}
              </label>
            ))}
            <Check
              on={d.triggerTags}
              label={t('review.bulk.triggerTags')}
              onChange={(triggerTags) => set({ triggerTags })}
            />
          </div>
          <LangChecks d={d} set={set} />
        </div>
      )
    case 'move':
      return (
        <label className="field">
          <span className="field-head">{t('review.bulk.target')}</span>
          <select
            className="select"
            value={d.datasetId ?? ''}
            onChange={(e) => set({ datasetId: e.target.value ? Number(e.target.value) : null })}
            data-testid="bulk-dataset"
          >
            <option value="">—</option>
            {datasets.data
              ?.filter((s) => s.id !== datasetId)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </select>
        </label>
      )
    case 'delete':
      return (
        <p className="bulk-note bulk-danger" data-testid="bulk-delete-note">
          {t('review.bulk.deleteNote')}
        </p>
      )
  }
}
