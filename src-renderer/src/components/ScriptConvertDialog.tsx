/** 简/繁 conversion (opencc) of the selected caption, the filter or the dataset: one undoable batch. */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { SCRIPTS } from './glossaryConstants'
import type { ImageFilter, Lang, ScriptName } from '@shared/api'
import { useMutate } from '../api/query'
import { ScopePicker, targetFor, type Scope } from './GlossaryApplyDialog'
import { Modal } from './Modal'
import { useToast } from './Toasts'

interface Props {
  datasetId: number
  filter: ImageFilter
  selectedId: number | null
  onClose(): void
}

export function ScriptConvertDialog({ datasetId, filter, selectedId, onClose }: Props): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const convertScript = useMutate('captions.convertScript')
  const [scope, setScope] = useState<Scope>(selectedId != null ? 'selection' : 'filter')
  const [to, setTo] = useState<ScriptName>('simplified')
  const [lang, setLang] = useState<Lang>('zh')
  const [busy, setBusy] = useState(false)

  async function convert(): Promise<void> {
    setBusy(true)
    try {
      const r = await convertScript.mutateAsync({
        target: targetFor(scope, datasetId, filter, selectedId),
        to,
        lang
      })
      toast.info(
        r.changed ? t('glossary.convert.done', { count: r.changed }) : t('glossary.convert.nothing')
      )
      onClose()
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title={t('glossary.convert.title')}
      onClose={onClose}
      testId="convert-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            {t('glossary.cancel')}
          </button>
          <button
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void convert()}
            data-testid="convert-confirm"
          >
            {t('glossary.convert.confirm')}
          </button>
        </>
      }
    >
      <div className="form">
        <ScopePicker
          scope={scope}
          onChange={setScope}
          hasSelection={selectedId != null}
          name="convert-scope"
        />
        <label className="field">
          <span>{t('glossary.convert.to')}</span>
          <select
            className="select"
            value={to}
            onChange={(e) => setTo(e.target.value as ScriptName)}
            data-testid="convert-to"
          >
            {SCRIPTS.map((s) => (
              <option key={s} value={s}>
                {t(`glossary.convert.script_${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('glossary.convert.lang')}</span>
          <select className="select" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <option value="zh">zh</option>
            <option value="en">en</option>
          </select>
        </label>
        <p className="muted">{t('glossary.convert.hint')}</p>
      </div>
    </Modal>
  )
}
