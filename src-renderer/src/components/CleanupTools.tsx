/** The dataset page's data tools bar: the cleanup panel and the export wizard. */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ImageFilter } from '@shared/api'
import { CleanupPanel } from './CleanupPanel'
import { ExportWizard } from './ExportWizard'
import '../styles/datatools.css'

interface Props {
  datasetId: number
  filter: ImageFilter
  selectedId: number | null
}

export function CleanupTools({ datasetId, filter, selectedId }: Props): ReactNode {
  const { t } = useTranslation()
  const [open, setOpen] = useState<'cleanup' | 'export' | null>(null)
  return (
    <div className="datatools-tools" data-testid="datatools-tools">
      <button
        className="btn btn-small"
        onClick={() => setOpen('cleanup')}
        data-testid="cleanup-open"
      >
        {t('datatools.tools.cleanup')}
      </button>
      <button className="btn btn-small" onClick={() => setOpen('export')} data-testid="export-open">
        {t('datatools.tools.export')}
      </button>
      {open === 'cleanup' && (
        <CleanupPanel
          datasetId={datasetId}
          filter={filter}
          selectedId={selectedId}
          onClose={() => setOpen(null)}
        />
      )}
      {open === 'export' && (
        <ExportWizard datasetId={datasetId} filter={filter} onClose={() => setOpen(null)} />
      )}
    </div>
  )
}
