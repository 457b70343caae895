import { useCallback, useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { call } from './api/client'
import { useEvent } from './api/useEvent'
import { Header } from './components/Header'
import { JobPanel } from './components/JobPanel'
import { ShortcutSheet } from './components/ShortcutSheet'
import { useToast } from './components/Toasts'
import { KeyActionsContext, useGlobalKeys } from './hooks/keyboard'
import type { KeyActions } from './hooks/keyboard'
import { useHashRoute } from './hooks/useHashRoute'
import { useTheme } from './hooks/useTheme'
import { DatasetPage } from './pages/DatasetPage'
import { LibraryHome } from './pages/LibraryHome'

/** Coalesces bursts of 'library.changed' (imports emit many) into one invalidation. */
function useLibraryInvalidation(): void {
  const qc = useQueryClient()
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEvent('library.changed', () => {
    if (timer.current) return
    timer.current = setTimeout(() => {
      timer.current = null
      void qc.invalidateQueries({ queryKey: ['images'] })
      void qc.invalidateQueries({ queryKey: ['image'] })
      void qc.invalidateQueries({ queryKey: ['datasets'] })
      void qc.invalidateQueries({ queryKey: ['concepts'] })
    }, 50)
  })
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
    },
    []
  )
}

export function App(): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const qc = useQueryClient()
  const [route, navigate] = useHashRoute()
  const [theme, setTheme] = useTheme()
  const [help, setHelp] = useState(false)
  const actions = useRef<KeyActions>({})
  useLibraryInvalidation()

  const datasetId = route.name === 'dataset' ? route.id : null
  const dataset = useQuery({
    queryKey: ['datasets', 'get', datasetId],
    queryFn: () => call('datasets.get', { id: datasetId ?? 0 }),
    enabled: datasetId != null
  })

  const history = useCallback(
    async (dir: 'undo' | 'redo') => {
      try {
        await actions.current.flush?.()
        const batch = await call(dir === 'undo' ? 'history.undo' : 'history.redo', {})
        if (batch)
          toast.info(t(dir === 'undo' ? 'toast.undone' : 'toast.redone', { label: batch.label }))
        else toast.info(t(dir === 'undo' ? 'toast.nothingToUndo' : 'toast.nothingToRedo'))
      } catch (e) {
        toast.error(e)
      } finally {
        void qc.invalidateQueries({ queryKey: ['images'] })
        void qc.invalidateQueries({ queryKey: ['image'] })
        void qc.invalidateQueries({ queryKey: ['datasets'] })
      }
    },
    [qc, toast, t]
  )

  useGlobalKeys(actions, {
    undo: () => void history('undo'),
    redo: () => void history('redo'),
    help: () => setHelp(true)
  })

  return (
    <KeyActionsContext.Provider value={actions}>
      <div className="app">
        <Header
          crumb={datasetId != null ? (dataset.data?.name ?? '…') : null}
          onHome={() => navigate({ name: 'home' })}
          theme={theme}
          onTheme={setTheme}
          onHelp={() => setHelp(true)}
        />
        {route.name === 'dataset' ? (
          <DatasetPage key={route.id} datasetId={route.id} />
        ) : (
          <LibraryHome onOpen={(id) => navigate({ name: 'dataset', id })} />
        )}
        <JobPanel onOpen={(id) => navigate({ name: 'dataset', id })} />
        {help && <ShortcutSheet onClose={() => setHelp(false)} />}
      </div>
    </KeyActionsContext.Provider>
  )
}
