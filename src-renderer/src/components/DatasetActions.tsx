/**
 * The dataset's Actions menu (one button in the toolbar): caption, clean up, apply the glossary,
 * 简/繁 conversion, export; the glossary and model pages; rename and delete. Each opens its
 * dialog; the menu items keep the test ids the separate buttons had.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { DatasetSummary, ImageFilter } from '@shared/api'
import { CaptionDialog } from './CaptionDialog'
import { CleanupPanel } from './CleanupPanel'
import { DeleteDialog, RenameDialog } from './DatasetManage'
import { ExportWizard } from './ExportWizard'
import { GlossaryApplyDialog } from './GlossaryApplyDialog'
import { Menu } from './Menu'
import { ScriptConvertDialog } from './ScriptConvertDialog'
import '../styles/datatools.css'

type Dialog = 'caption' | 'cleanup' | 'export' | 'apply' | 'convert' | 'rename' | 'delete'

interface Props {
  dataset: DatasetSummary | undefined
  datasetId: number
  filter: ImageFilter
  filterTotal: number | null
  selectedId: number | null
  firstId: number | null
}

export function DatasetActions(p: Props): ReactNode {
  const { t } = useTranslation()
  const [open, setOpen] = useState<Dialog | null>(null)
  const close = (): void => setOpen(null)
  const { datasetId, filter, selectedId } = p
  return (
    <>
      <Menu
        label={t('actions.menu')}
        testId="dataset-actions"
        align="right"
        items={[
          {
            id: 'caption',
            label: t('captioning.dialog.open'),
            testId: 'caption-open',
            onSelect: () => setOpen('caption')
          },
          {
            id: 'cleanup',
            label: t('datatools.tools.cleanup'),
            testId: 'cleanup-open',
            onSelect: () => setOpen('cleanup')
          },
          {
            id: 'apply',
            label: t('glossary.apply.open'),
            testId: 'apply-open',
            onSelect: () => setOpen('apply')
          },
          {
            id: 'convert',
            label: t('glossary.convert.open'),
            testId: 'convert-open',
            onSelect: () => setOpen('convert')
          },
          {
            id: 'export',
            label: t('datatools.tools.export'),
            testId: 'export-open',
            onSelect: () => setOpen('export')
          },
          {
            id: 'glossary',
            label: t('glossary.page.open'),
            testId: 'glossary-open',
            href: `#/datasets/${datasetId}/glossary`,
            separator: true
          },
          {
            id: 'models',
            label: t('captioning.dialog.manageModels'),
            testId: 'caption-models-link',
            href: '#/models'
          },
          {
            id: 'rename',
            label: t('datasets.renameItem'),
            testId: 'dataset-rename',
            onSelect: () => setOpen('rename'),
            separator: true,
            disabled: !p.dataset
          },
          {
            id: 'delete',
            label: t('datasets.deleteItem'),
            testId: 'dataset-delete',
            onSelect: () => setOpen('delete'),
            danger: true,
            disabled: !p.dataset
          }
        ]}
      />
      {open === 'caption' && (
        <CaptionDialog
          datasetId={datasetId}
          filter={filter}
          filterTotal={p.filterTotal}
          selectedId={selectedId}
          firstId={p.firstId}
          onClose={close}
          onManageModels={() => {
            close()
            location.hash = '#/models'
          }}
        />
      )}
      {open === 'cleanup' && (
        <CleanupPanel
          datasetId={datasetId}
          filter={filter}
          selectedId={selectedId}
          onClose={close}
        />
      )}
      {open === 'export' && <ExportWizard datasetId={datasetId} filter={filter} onClose={close} />}
      {open === 'apply' && (
        <GlossaryApplyDialog
          datasetId={datasetId}
          filter={filter}
          selectedId={selectedId}
          onClose={close}
        />
      )}
      {open === 'convert' && (
        <ScriptConvertDialog
          datasetId={datasetId}
          filter={filter}
          selectedId={selectedId}
          onClose={close}
        />
      )}
      {open === 'rename' && p.dataset && <RenameDialog dataset={p.dataset} onClose={close} />}
      {open === 'delete' && p.dataset && (
        <DeleteDialog
          dataset={p.dataset}
          onClose={close}
          onDeleted={() => {
            location.hash = '#/'
          }}
        />
      )}
    </>
  )
}
