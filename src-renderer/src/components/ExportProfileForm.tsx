/**
 * The export profile's options: format, caption composition (language — the format's default
 * unless chosen, each with a per-image fallback to the other language —, multi-line captions
 * joined or as alternatives, trigger words, text and tags, separator, keep_tokens / ||| marker),
 * the review filter, paths (relative by default, absolute on request), the image options (copy /
 * hard link / re-encode, EXIF orientation, max side, file format) and kohya's repeats and
 * resolution. What "both" means is explained for the chosen format.
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExportFormatName, ExportProfileData } from '@shared/api'

import {
  defaultExportLanguage,
  EXPORT_ALTERNATIVE_FORMATS,
  EXPORT_FORMATS,
  EXPORT_LANGUAGES
} from '@shared/constants'

export { EXPORT_FORMATS }

interface Props {
  value: ExportProfileData
  onChange(p: ExportProfileData): void
}

function Radios<T extends string>(p: {
  name: string
  options: readonly T[]
  value: T
  label(v: T): string
  onChange(v: T): void
}): ReactNode {
  return (
    <div className="dt-inline" role="radiogroup">
      {p.options.map((o) => (
        <label key={o} className="check">
          <input
            type="radio"
            name={p.name}
            checked={p.value === o}
            onChange={() => p.onChange(o)}
            data-testid={`${p.name}-${o}`}
          />
          {p.label(o)}
        </label>
      ))}
    </div>
  )
}

const int = (s: string): number | undefined => {
  const n = Number(s)
  return s.trim() && Number.isInteger(n) && n > 0 ? n : undefined
}

export function ExportProfileForm({ value: v, onChange }: Props): ReactNode {
  const { t } = useTranslation()
  const cap = (part: Partial<ExportProfileData['caption']>): void =>
    onChange({ ...v, caption: { ...v.caption, ...part } })
  const img = (part: Partial<ExportProfileData['image']>): void =>
    onChange({ ...v, image: { ...v.image, ...part } })
  const kohya = (part: Partial<ExportProfileData['kohya']>): void =>
    onChange({ ...v, kohya: { ...v.kohya, ...part } })
  return (
    <div className="form" data-testid="export-profile-form">
      <label className="field">
        <span>{t('datatools.export.format')}</span>
        <select
          className="input"
          value={v.format}
          onChange={(e) => onChange({ ...v, format: e.target.value as ExportFormatName })}
          data-testid="export-format"
        >
          {EXPORT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {t(`datatools.export.format_${f}`)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="dt-fieldset">
        <legend>{t('datatools.export.review')}</legend>
        <Radios
          name="export-status"
          options={['approved', 'any'] as const}
          value={v.status}
          label={(o) => t(`datatools.export.status_${o}`)}
          onChange={(status) => onChange({ ...v, status })}
        />
      </fieldset>
      <fieldset className="dt-fieldset">
        <legend>{t('datatools.export.caption')}</legend>
        <Radios
          name="export-language"
          options={EXPORT_LANGUAGES}
          value={v.caption.language}
          label={(o) => t(`datatools.export.lang_${o}`)}
          onChange={(language) => cap({ language })}
        />
        <p className="muted small" data-testid="export-language-hint">
          {v.caption.language === 'both'
            ? t(`datatools.export.both_${v.format}`)
            : t(
                `datatools.export.langFirst_${v.caption.language === 'auto' ? defaultExportLanguage(v.format) : v.caption.language}`
              )}
        </p>
        {EXPORT_ALTERNATIVE_FORMATS.has(v.format) ? (
          <label className="check">
            <input
              type="checkbox"
              checked={v.caption.lines === 'alternatives'}
              onChange={(e) => cap({ lines: e.target.checked ? 'alternatives' : 'join' })}
              data-testid="export-lines-alternatives"
            />
            {t('datatools.export.linesAlternatives')}
          </label>
        ) : (
          <p className="muted small">{t('datatools.export.linesJoinOnly')}</p>
        )}
        <label className="field">
          <span className="small">{t('datatools.export.triggers')}</span>
          <input
            className="input"
            value={v.caption.triggerWords.join(', ')}
            onChange={(e) =>
              cap({
                triggerWords: e.target.value
                  .split(/[,，]/)
                  .map((s) => s.trim())
                  .filter(Boolean)
              })
            }
            data-testid="export-triggers"
          />
        </label>
        <div className="dt-inline">
          <label className="check">
            <input
              type="checkbox"
              checked={v.caption.includeText}
              onChange={(e) => cap({ includeText: e.target.checked })}
            />
            {t('datatools.export.includeText')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={v.caption.includeTags}
              onChange={(e) => cap({ includeTags: e.target.checked })}
              data-testid="export-include-tags"
            />
            {t('datatools.export.includeTags')}
          </label>
          <label className="check">
            {t('datatools.export.separator')}
            <input
              className="input mono"
              size={4}
              value={v.caption.separator}
              onChange={(e) => e.target.value && cap({ separator: e.target.value })}
            />
          </label>
        </div>
        <div className="dt-inline">
          <span className="small">{t('datatools.export.keepTokens')}</span>
          <select
            className="input"
            value={v.caption.keepTokens}
            onChange={(e) =>
              cap({ keepTokens: e.target.value as ExportProfileData['caption']['keepTokens'] })
            }
            data-testid="export-keep-tokens"
          >
            {(['none', 'count', 'separator'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`datatools.export.keep_${k}`)}
              </option>
            ))}
          </select>
          {v.caption.keepTokens === 'separator' && (
            <input
              className="input mono"
              size={5}
              aria-label={t('datatools.export.keepSeparator')}
              value={v.caption.keepTokensSeparator}
              onChange={(e) => e.target.value && cap({ keepTokensSeparator: e.target.value })}
            />
          )}
        </div>
      </fieldset>
      {v.format !== 'hf' && (
        <label className="check">
          <input
            type="checkbox"
            checked={v.paths === 'absolute'}
            onChange={(e) => onChange({ ...v, paths: e.target.checked ? 'absolute' : 'relative' })}
            data-testid="export-absolute-paths"
          />
          {t('datatools.export.absolutePaths')}
        </label>
      )}
      <fieldset className="dt-fieldset">
        <legend>{t('datatools.export.images')}</legend>
        <Radios
          name="export-image-mode"
          options={['copy', 'link', 'reencode'] as const}
          value={v.image.mode}
          label={(o) => t(`datatools.export.mode_${o}`)}
          onChange={(mode) => img({ mode })}
        />
        <div className="dt-inline">
          <label className="check">
            <input
              type="checkbox"
              checked={v.image.bakeOrientation}
              onChange={(e) => img({ bakeOrientation: e.target.checked })}
            />
            {t('datatools.export.bake')}
          </label>
          <label className="check">
            {t('datatools.export.maxSide')}
            <input
              className="input"
              size={6}
              inputMode="numeric"
              value={v.image.maxSide ?? ''}
              onChange={(e) => {
                const { maxSide: _drop, ...rest } = v.image
                void _drop
                const n = int(e.target.value)
                onChange({ ...v, image: n ? { ...rest, maxSide: n } : rest })
              }}
            />
          </label>
          <label className="check">
            {t('datatools.export.imgFormat')}
            <select
              className="input"
              value={v.image.format}
              onChange={(e) =>
                img({ format: e.target.value as ExportProfileData['image']['format'] })
              }
            >
              {(['keep', 'png', 'jpeg', 'webp'] as const).map((f) => (
                <option key={f} value={f}>
                  {t(`datatools.export.fmt_${f}`)}
                </option>
              ))}
            </select>
          </label>
          {v.image.format !== 'keep' && v.image.format !== 'png' && (
            <label className="check">
              {t('datatools.export.quality')}
              <input
                className="input"
                size={3}
                inputMode="numeric"
                value={v.image.quality}
                onChange={(e) => {
                  const n = int(e.target.value)
                  if (n && n <= 100) img({ quality: n })
                }}
              />
            </label>
          )}
        </div>
      </fieldset>
      {(v.format === 'kohya' || v.format === 'sdscripts') && (
        <fieldset className="dt-fieldset">
          <legend>{t('datatools.export.kohya')}</legend>
          <div className="dt-inline">
            <label className="check">
              {t('datatools.export.repeats')}
              <input
                className="input"
                size={4}
                inputMode="numeric"
                value={v.kohya.defaultRepeats}
                onChange={(e) => {
                  const n = int(e.target.value)
                  if (n) kohya({ defaultRepeats: n })
                }}
                data-testid="export-repeats"
              />
            </label>
            <label className="check">
              {t('datatools.export.resolution')}
              <input
                className="input"
                size={5}
                inputMode="numeric"
                value={
                  typeof v.kohya.resolution === 'number'
                    ? v.kohya.resolution
                    : v.kohya.resolution[0]
                }
                onChange={(e) => {
                  const n = int(e.target.value)
                  if (n) kohya({ resolution: n })
                }}
              />
            </label>
          </div>
        </fieldset>
      )}
    </div>
  )
}
