/** Create or edit one glossary entry (glossary.save). List fields take one item per line. */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type {
  CaptionFieldName,
  GlossaryEntryDataInput,
  GlossaryKind,
  GlossaryRecord,
  InjectionMode
} from '@shared/api'
import { useMutate } from '../api/query'
import { CAPTION_FIELDS, GLOSSARY_KINDS, INJECTION_MODES } from './glossaryConstants'
import { Modal } from './Modal'

const lines = (s: string): string[] =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean)
const opt = (s: string): string | undefined => s.trim() || undefined

interface Draft {
  nameZh: string
  nameEn: string
  aliasesZh: string
  aliasesEn: string
  kind: GlossaryKind
  factsZh: string
  factsEn: string
  tags: string
  keywords: string
  regex: string
  paths: string
  target: CaptionFieldName
  mode: InjectionMode
  trigger: string
  fixedTraits: string
}

function draftOf(r?: GlossaryRecord): Draft {
  const e = r?.entry
  return {
    nameZh: e?.name.zh ?? '',
    nameEn: e?.name.en ?? '',
    aliasesZh: e?.aliases.zh.join('\n') ?? '',
    aliasesEn: e?.aliases.en.join('\n') ?? '',
    kind: e?.kind ?? 'term',
    factsZh: e?.facts.zh ?? '',
    factsEn: e?.facts.en ?? '',
    tags: e?.triggers.tags.join('\n') ?? '',
    keywords: e?.triggers.keywords.join('\n') ?? '',
    regex: e?.triggers.regex.join('\n') ?? '',
    paths: e?.triggers.paths.join('\n') ?? '',
    target: e?.injection.target ?? 'subject',
    mode: e?.injection.mode ?? 'replace-alias',
    trigger: e?.injection.trigger ?? '',
    fixedTraits: e?.fixedTraits.join('\n') ?? ''
  }
}

function entryOf(d: Draft): GlossaryEntryDataInput {
  const trigger = opt(d.trigger)
  return {
    name: { zh: opt(d.nameZh), en: opt(d.nameEn) },
    aliases: { zh: lines(d.aliasesZh), en: lines(d.aliasesEn) },
    kind: d.kind,
    facts: { zh: opt(d.factsZh), en: opt(d.factsEn) },
    triggers: {
      tags: lines(d.tags),
      keywords: lines(d.keywords),
      regex: lines(d.regex),
      paths: lines(d.paths)
    },
    injection: { target: d.target, mode: d.mode, ...(trigger ? { trigger } : {}) },
    fixedTraits: lines(d.fixedTraits)
  }
}

interface Props {
  record?: GlossaryRecord
  /** where a new entry goes: null = global */
  datasetId: number | null
  onClose(): void
}

export function GlossaryEntryForm({ record, datasetId, onClose }: Props): ReactNode {
  const { t } = useTranslation()
  const saveEntry = useMutate('glossary.save')
  const [d, setD] = useState<Draft>(() => draftOf(record))
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const set =
    <K extends keyof Draft>(k: K) =>
    (v: Draft[K]): void =>
      setD((x) => ({ ...x, [k]: v }))

  async function save(): Promise<void> {
    setBusy(true)
    setError(null)
    try {
      await saveEntry.mutateAsync(
        record ? { id: record.id, entry: entryOf(d) } : { datasetId, entry: entryOf(d) }
      )
      onClose()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  const text = (k: keyof Draft, label: string, testId: string): ReactNode => (
    <label className="field">
      <span>{label}</span>
      <input
        className="input"
        value={d[k]}
        onChange={(e) => set(k)(e.target.value as never)}
        data-testid={testId}
      />
    </label>
  )
  const list = (k: keyof Draft, label: string, testId: string): ReactNode => (
    <label className="field">
      <span>
        {label} <small className="muted">{t('glossary.form.onePerLine')}</small>
      </span>
      <textarea
        className="textarea"
        rows={2}
        value={d[k]}
        onChange={(e) => set(k)(e.target.value as never)}
        data-testid={testId}
      />
    </label>
  )

  return (
    <Modal
      title={record ? t('glossary.form.editTitle') : t('glossary.form.newTitle')}
      onClose={onClose}
      testId="glossary-form"
      wide
      footer={
        <>
          {error && (
            <span className="grow text-danger" data-testid="glossary-form-error">
              {error}
            </span>
          )}
          <button className="btn" onClick={onClose}>
            {t('glossary.cancel')}
          </button>
          <button
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void save()}
            data-testid="glossary-form-save"
          >
            {t('glossary.save')}
          </button>
        </>
      }
    >
      <div className="form glossary-form">
        <div className="form-cols">
          {text('nameZh', t('glossary.form.nameZh'), 'form-name-zh')}
          {text('nameEn', t('glossary.form.nameEn'), 'form-name-en')}
        </div>
        <div className="form-cols">
          {list('aliasesZh', t('glossary.form.aliasesZh'), 'form-aliases-zh')}
          {list('aliasesEn', t('glossary.form.aliasesEn'), 'form-aliases-en')}
        </div>
        <div className="form-cols">
          <label className="field">
            <span>{t('glossary.form.kind')}</span>
            <select
              className="select"
              value={d.kind}
              onChange={(e) => set('kind')(e.target.value as GlossaryKind)}
              data-testid="form-kind"
            >
              {GLOSSARY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`glossary.kinds.${k}`)}
                </option>
              ))}
            </select>
          </label>
          {text('factsZh', t('glossary.form.factsZh'), 'form-facts-zh')}
          {text('factsEn', t('glossary.form.factsEn'), 'form-facts-en')}
        </div>
        <fieldset className="form-group">
          <legend>{t('glossary.form.triggers')}</legend>
          <div className="form-cols">
            {list('tags', t('glossary.form.tags'), 'form-tags')}
            {list('keywords', t('glossary.form.keywords'), 'form-keywords')}
            {list('regex', t('glossary.form.regex'), 'form-regex')}
            {list('paths', t('glossary.form.paths'), 'form-paths')}
          </div>
        </fieldset>
        <fieldset className="form-group">
          <legend>{t('glossary.form.injection')}</legend>
          <div className="form-cols">
            <label className="field">
              <span>{t('glossary.form.target')}</span>
              <select
                className="select"
                value={d.target}
                onChange={(e) => set('target')(e.target.value as CaptionFieldName)}
              >
                {CAPTION_FIELDS.map((f) => (
                  <option key={f} value={f}>
                    {t(`glossary.fields.${f}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t('glossary.form.mode')}</span>
              <select
                className="select"
                value={d.mode}
                onChange={(e) => set('mode')(e.target.value as InjectionMode)}
                data-testid="form-mode"
              >
                {INJECTION_MODES.map((m) => (
                  <option key={m} value={m}>
                    {t(`glossary.modes.${m}`)}
                  </option>
                ))}
              </select>
            </label>
            {text('trigger', t('glossary.form.trigger'), 'form-trigger')}
          </div>
        </fieldset>
        {list('fixedTraits', t('glossary.form.fixedTraits'), 'form-traits')}
      </div>
    </Modal>
  )
}
