/**
 * "Caption…" from the dataset page: target (current filter / selected image / whole dataset),
 * model, preset, language, options (overwrite manual edits — off by default, with a warning;
 * redo; tagger thresholds and batch), a one-image "Try it" preview (caption.preview: tags with
 * scores, or the text and the rendered prompt) and Start, which hands the job to the job panel.
 */
import { useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { CaptionPreview, ImageFilter, Lang, ModelInfo, PresetInfo } from '@shared/api'
import { call } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { CaptionOptions, DEFAULT_OPTIONS } from './CaptionOptions'
import type { CaptionOptionsState } from './CaptionOptions'
import { CaptionPreviewView } from './CaptionPreviewView'
import { useJobs } from './jobs'
import { Modal } from './Modal'
import { errorText as errorInWords } from './errorText'
import { useToast } from './Toasts'
import '../styles/captioning.css'

type Target = 'filter' | 'selected' | 'dataset'
const MODEL_KEY = 'glossa.captionModel'

interface Props {
  datasetId: number
  filter: ImageFilter
  /** images matching the filter (null while unknown) */
  filterTotal: number | null
  selectedId: number | null
  /** the first image of the filtered grid, tried when nothing is selected */
  firstId: number | null
  onClose(): void
  onManageModels(): void
}

/** Presets a model kind takes: Florence-2 task presets, or chat prompts for chat VLMs and
 *  endpoints. */
export function presetsFor(kind: ModelInfo['kind'], all: PresetInfo[]): PresetInfo[] {
  if (kind === 'florence2') return all.filter((p) => p.id.startsWith('florence-'))
  if (kind === 'chat-vlm' || kind === 'endpoint')
    return all.filter((p) => !p.id.startsWith('florence-'))
  return []
}

/** The built-in OCR model (core: captioning/ocr-run.ts): not in models.list, always there. */
export const OCR_MODEL: ModelInfo = {
  id: 'ocr',
  kind: 'ocr',
  name: 'OCR (PP-OCRv4)',
  dir: '',
  addedAt: 0,
  repoId: null,
  files: [],
  inputSize: null,
  numTags: null,
  batch: null,
  modelType: 'pp-ocrv4',
  warnings: [],
  defaultPreset: null,
  endpoint: null
}

function isFiltered(f: ImageFilter): boolean {
  return Object.keys(f).some((k) => k !== 'datasetId')
}

export function CaptionDialog(p: Props): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { track } = useJobs()
  const models = useCall('models.list', {})
  const presets = useCall('presets.list', {})
  const [target, setTarget] = useState<Target>(isFiltered(p.filter) ? 'filter' : 'dataset')
  const [modelId, setModelId] = useState<string>(() => {
    try {
      return localStorage.getItem(MODEL_KEY) ?? ''
    } catch {
      return ''
    }
  })
  const [preset, setPreset] = useState('')
  const [lang, setLang] = useState<Lang | ''>('')
  const [opts, setOpts] = useState<CaptionOptionsState>(DEFAULT_OPTIONS)
  // the last "Try it" outcome, with the choices it was made with
  const [tried, setTried] = useState<{
    key: string
    preview: CaptionPreview | null
    error: string | null
  } | null>(null)
  const [trying, setTrying] = useState(false)
  const [starting, setStarting] = useState(false)
  const startCaptioning = useMutate('caption.start')

  const list = useMemo(() => [...(models.data ?? []), OCR_MODEL], [models.data])
  const model = list.find((m) => m.id === modelId) ?? list[0] ?? null
  const choices = useMemo(
    () => (model ? presetsFor(model.kind, presets.data ?? []) : []),
    [model, presets.data]
  )
  const presetId = choices.some((c) => c.id === preset) ? preset : (model?.defaultPreset ?? '')
  const presetInfo = choices.find((c) => c.id === presetId)
  const tryId = p.selectedId ?? p.firstId
  const tryImage = useCall('images.get', { id: tryId ?? 0 }, { enabled: tryId != null })

  // a changed choice makes the last preview stale
  const runKey = JSON.stringify([model?.id, presetId, lang, opts.general, opts.character, tryId])
  const current = tried?.key === runKey ? tried : null
  const preview = current?.preview ?? null
  const previewError = current?.error ?? null

  function runOptions(): {
    modelId: string
    preset?: string
    lang?: Lang
    tagOptions?: { generalThreshold: number; characterThreshold: number }
  } {
    if (!model) throw new Error('no model')
    return {
      modelId: model.id,
      ...(presetInfo ? { preset: presetInfo.id } : {}),
      ...(lang ? { lang } : {}),
      ...(model.kind === 'tagger'
        ? { tagOptions: { generalThreshold: opts.general, characterThreshold: opts.character } }
        : {})
    }
  }

  async function tryIt(): Promise<void> {
    if (!model || tryId == null) return
    setTrying(true)
    const key = runKey
    try {
      const r = await call('caption.preview', { imageId: tryId, ...runOptions() })
      setTried({ key, preview: r, error: null })
    } catch (e) {
      setTried({ key, preview: null, error: errorInWords(t, e) })
    } finally {
      setTrying(false)
    }
  }

  async function start(): Promise<void> {
    if (!model || starting) return
    setStarting(true)
    try {
      localStorage.setItem(MODEL_KEY, model.id)
    } catch {
      // storage unavailable: the choice is not remembered
    }
    try {
      const r = await startCaptioning.mutateAsync({
        target:
          target === 'selected' && p.selectedId != null
            ? { imageIds: [p.selectedId] }
            : target === 'filter'
              ? { filter: p.filter }
              : { datasetId: p.datasetId },
        ...runOptions(),
        overwriteManual: opts.overwriteManual,
        redo: opts.redo,
        ...(model.kind === 'tagger' && model.batch === 'dynamic' ? { batch: opts.batch } : {})
      })
      void track(r.jobId)
      toast.info(t('captioning.dialog.started'))
      p.onClose()
    } catch (e) {
      toast.error(e)
    } finally {
      setStarting(false)
    }
  }

  const noModels = models.data && models.data.length === 0
  return (
    <Modal
      title={t('captioning.dialog.title')}
      onClose={p.onClose}
      testId="caption-dialog"
      wide
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={p.onClose}>
            {t('captioning.dialog.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!model || starting}
            onClick={() => void start()}
            data-testid="caption-start"
          >
            {t('captioning.dialog.start')}
          </button>
        </>
      }
    >
      <div className="form caption-form">
        <fieldset className="field caption-target">
          <legend>{t('captioning.dialog.target')}</legend>
          {(
            [
              ['filter', t('captioning.dialog.targetFilter', { count: p.filterTotal ?? 0 })],
              ['selected', t('captioning.dialog.targetSelected')],
              ['dataset', t('captioning.dialog.targetDataset')]
            ] as const
          ).map(([v, label]) => (
            <label key={v} className="radio">
              <input
                type="radio"
                name="caption-target"
                value={v}
                checked={target === v}
                disabled={v === 'selected' && p.selectedId == null}
                onChange={() => setTarget(v)}
                data-testid={`caption-target-${v}`}
              />
              {label}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('captioning.dialog.model')}</span>
          <select
            className="select"
            value={model?.id ?? ''}
            onChange={(e) => setModelId(e.target.value)}
            data-testid="caption-model"
          >
            {list.map((m) => (
              <option key={m.id} value={m.id}>
                {m.kind === 'ocr'
                  ? t('captioning.kind.ocr')
                  : `${m.name} (${t(`captioning.kind.${m.kind}`)})`}
              </option>
            ))}
          </select>
          {noModels && (
            <div className="row-gap">
              <span className="muted">{t('captioning.dialog.noModels')}</span>
              <button type="button" className="btn btn-small" onClick={p.onManageModels}>
                {t('captioning.dialog.manageModels')}
              </button>
            </div>
          )}
        </label>
        {choices.length > 0 && (
          <label className="field">
            <span>{t('captioning.dialog.preset')}</span>
            <select
              className="select"
              value={presetId}
              onChange={(e) => setPreset(e.target.value)}
              data-testid="caption-preset"
            >
              {choices.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.builtin ? ` · ${t('captioning.dialog.builtin')}` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {model && model.kind !== 'tagger' && (
          <label className="field">
            <span>{t('captioning.dialog.lang')}</span>
            <select
              className="select"
              value={lang}
              onChange={(e) => setLang(e.target.value as Lang | '')}
              data-testid="caption-lang"
            >
              <option value="">
                {model.kind === 'ocr'
                  ? t('captioning.dialog.langBoth')
                  : t('captioning.dialog.langDefault', { lang: presetInfo?.lang ?? 'en' })}
              </option>
              <option value="zh">{t('captioning.dialog.zh')}</option>
              <option value="en">{t('captioning.dialog.en')}</option>
            </select>
          </label>
        )}
        {model && <CaptionOptions model={model} value={opts} onChange={setOpts} />}
        <section className="caption-try">
          <div className="row-gap">
            <button
              type="button"
              className="btn"
              disabled={!model || tryId == null || trying}
              onClick={() => void tryIt()}
              data-testid="caption-try"
            >
              {trying ? t('captioning.dialog.trying') : t('captioning.dialog.tryIt')}
            </button>
            <small className="muted">
              {tryId == null
                ? t('captioning.dialog.tryItNoImage')
                : t('captioning.dialog.tryItHint', { file: tryImage.data?.fileName ?? '…' })}
            </small>
          </div>
          {previewError && (
            <p className="model-error" role="alert" data-testid="caption-preview-error">
              {previewError}
            </p>
          )}
          {preview && <CaptionPreviewView preview={preview} imageId={tryId} />}
        </section>
      </div>
    </Modal>
  )
}
