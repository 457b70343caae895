import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ModelInfo } from '@shared/api'

export interface CaptionOptionsState {
  general: number
  character: number
  batch: number
  overwriteManual: boolean
  redo: boolean
}

/** The tagger defaults of formats.md §5 (general 0.35, character 0.85) and batch 8. */
export const DEFAULT_OPTIONS: CaptionOptionsState = {
  general: 0.35,
  character: 0.85,
  batch: 8,
  overwriteManual: false,
  redo: false
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v))

function Threshold(props: {
  label: string
  value: number
  onChange(v: number): void
  testId: string
}): ReactNode {
  return (
    <label className="field caption-threshold">
      <span>
        {props.label} <strong className="mono">{props.value.toFixed(2)}</strong>
      </span>
      <input
        type="range"
        min={0}
        max={1}
        step={0.01}
        value={props.value}
        onChange={(e) => props.onChange(clamp(Number(e.target.value), 0, 1))}
        data-testid={props.testId}
      />
    </label>
  )
}

/** Run options: tagger thresholds and batch, "overwrite manual edits" (with its warning), redo. */
export function CaptionOptions({
  model,
  value,
  onChange
}: {
  model: ModelInfo
  value: CaptionOptionsState
  onChange(v: CaptionOptionsState): void
}): ReactNode {
  const { t } = useTranslation()
  const set = (patch: Partial<CaptionOptionsState>): void => onChange({ ...value, ...patch })
  return (
    <fieldset className="field caption-options">
      <legend>{t('captioning.dialog.options')}</legend>
      {model.kind === 'tagger' && (
        <div className="caption-tagger-options">
          <Threshold
            label={t('captioning.dialog.generalThreshold')}
            value={value.general}
            onChange={(general) => set({ general })}
            testId="caption-general"
          />
          <Threshold
            label={t('captioning.dialog.characterThreshold')}
            value={value.character}
            onChange={(character) => set({ character })}
            testId="caption-character"
          />
          {model.batch === 'dynamic' && (
            <label className="field">
              <span>{t('captioning.dialog.batch')}</span>
              <input
                className="input caption-batch"
                type="number"
                min={1}
                max={256}
                value={value.batch}
                onChange={(e) =>
                  set({ batch: clamp(Math.floor(Number(e.target.value) || 1), 1, 256) })
                }
                data-testid="caption-batch"
              />
            </label>
          )}
        </div>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={value.redo}
          onChange={(e) => set({ redo: e.target.checked })}
          data-testid="caption-redo"
        />
        {t('captioning.dialog.redo')}
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={value.overwriteManual}
          onChange={(e) => set({ overwriteManual: e.target.checked })}
          data-testid="caption-overwrite"
        />
        {t('captioning.dialog.overwriteManual')}
      </label>
      {value.overwriteManual && (
        <p className="caption-warning" role="alert" data-testid="caption-overwrite-warning">
          ⚠ {t('captioning.dialog.overwriteWarning')}
        </p>
      )}
    </fieldset>
  )
}
