/** The dataset page's glossary tools: apply, 简/繁 conversion, the lint filter, the glossary page. */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ImageFilter } from '@shared/api'
import { GlossaryApplyDialog } from './GlossaryApplyDialog'
import { ScriptConvertDialog } from './ScriptConvertDialog'

interface Props {
  datasetId: number
  filter: ImageFilter
  selectedId: number | null
  lint: boolean
  onLint(on: boolean): void
}

export function GlossaryTools({ datasetId, filter, selectedId, lint, onLint }: Props): ReactNode {
  const { t } = useTranslation()
  const [dialog, setDialog] = useState<'apply' | 'convert' | null>(null)
  return (
    <div className="glossary-tools" data-testid="glossary-tools">
      <button
        className={`btn btn-small ${lint ? 'btn-on' : ''}`}
        aria-pressed={lint}
        onClick={() => onLint(!lint)}
        data-testid="lint-filter"
      >
        {t('glossary.lint.filter')}
      </button>
      <button
        className="btn btn-small"
        onClick={() => setDialog('convert')}
        data-testid="convert-open"
      >
        {t('glossary.convert.open')}
      </button>
      <button className="btn btn-small" onClick={() => setDialog('apply')} data-testid="apply-open">
        {t('glossary.apply.open')}
      </button>
      <a
        className="btn btn-small"
        href={`#/datasets/${datasetId}/glossary`}
        data-testid="glossary-open"
      >
        {t('glossary.page.open')}
      </a>
      {dialog === 'apply' && (
        <GlossaryApplyDialog
          datasetId={datasetId}
          filter={filter}
          selectedId={selectedId}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'convert' && (
        <ScriptConvertDialog
          datasetId={datasetId}
          filter={filter}
          selectedId={selectedId}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  )
}
