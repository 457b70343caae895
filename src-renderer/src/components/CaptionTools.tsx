import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ImageFilter } from '@shared/api'
import { CaptionDialog } from './CaptionDialog'

interface Props {
  datasetId: number
  filter: ImageFilter
  filterTotal: number | null
  selectedId: number | null
  firstId: number | null
}

/** The dataset page's "Caption…" bar and its dialog. */
export function CaptionTools(p: Props): ReactNode {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  return (
    <div className="caption-tools" data-testid="caption-tools">
      <button className="btn btn-small" onClick={() => setOpen(true)} data-testid="caption-open">
        {t('captioning.dialog.open')}
      </button>
      <a className="btn btn-small btn-ghost" href="#/models" data-testid="caption-models-link">
        {t('captioning.dialog.manageModels')}
      </a>
      {open && (
        <CaptionDialog
          {...p}
          onClose={() => setOpen(false)}
          onManageModels={() => {
            setOpen(false)
            location.hash = '#/models'
          }}
        />
      )}
    </div>
  )
}
