import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall, useMutate } from './api/query'
import { useEvent } from './api/useEvent'
import { Header } from './components/Header'
import { JobPanel } from './components/JobPanel'
import { ShortcutSheet } from './components/ShortcutSheet'
import { SettingsButton, SettingsDialog } from './components/SettingsDialog'
import { useToast } from './components/Toasts'
import { nextSteps, UndoControl } from './components/UndoControl'
import { useJobs } from './components/jobs'
import { KeyActionsContext, useGlobalKeys } from './hooks/keyboard'
import type { KeyActions } from './hooks/keyboard'
import { useHashRoute } from './hooks/useHashRoute'
import { useTheme } from './hooks/useTheme'
import { DatasetPage } from './pages/DatasetPage'
import { GlossaryPage } from './pages/GlossaryPage'
import { DupesPage } from './pages/DupesPage'
import { LibraryHome } from './pages/LibraryHome'
import { ModelsPage } from './pages/ModelsPage'

// the dashboard and its chart library load on first use (a separate chunk)
const StatsPage = lazy(() => import('./pages/StatsPage').then((m) => ({ default: m.StatsPage })))

export function App(): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { track } = useJobs()
  const { mutateAsync: undo } = useMutate('history.undo')
  const { mutateAsync: redo } = useMutate('history.redo')
  const [route, navigate] = useHashRoute()
  const [theme, setTheme] = useTheme()
  const [help, setHelp] = useState(false)
  const [settings, setSettings] = useState(false)
  const actions = useRef<KeyActions>({})

  // the core host thread stopped unexpectedly: say so, and when it is back (the library.changed
  // that follows refreshes every query)
  useEvent('core.status', (s) => {
    if (s.state === 'restarting') toast.info(t('core.restarting', { reason: s.reason }))
    else if (s.state === 'ready') toast.info(t('core.ready'))
    else toast.error(new Error(t('core.failed', { reason: s.reason })))
  })

  const datasetId =
    route.name === 'dataset' || route.name === 'stats' || route.name === 'dupes'
      ? route.id
      : route.name === 'glossary'
        ? route.datasetId
        : null
  const dataset = useCall('datasets.get', { id: datasetId ?? 0 }, { enabled: datasetId != null })

  // what Undo / Redo will do is shown before it is done (UndoControl); the core refuses if
  // another batch became the next one meanwhile
  const historyList = useCall('history.list', { limit: 15 })
  const steps = useRef(nextSteps(historyList.data))
  useEffect(() => {
    steps.current = nextSteps(historyList.data)
  })
  const history = useCallback(
    async (dir: 'undo' | 'redo') => {
      try {
        await actions.current.flush?.()
        const expected = steps.current[dir]
        const args = expected ? { batchId: expected.id } : {}
        const batch = await (dir === 'undo' ? undo(args) : redo(args))
        // a large batch is undone/redone by a job: follow it in the job panel
        if (batch?.jobId != null) void track(batch.jobId)
        else if (batch) {
          toast.info(t(dir === 'undo' ? 'toast.undone' : 'toast.redone', { label: batch.label }))
          if (batch.imageIds?.length) actions.current.reveal?.(batch.imageIds)
        } else toast.info(t(dir === 'undo' ? 'toast.nothingToUndo' : 'toast.nothingToRedo'))
      } catch (e) {
        toast.error(e)
      }
    },
    [undo, redo, toast, t, track]
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
          crumb={
            route.name === 'glossary'
              ? [datasetId != null ? (dataset.data?.name ?? '…') : null, t('glossary.link')]
                  .filter(Boolean)
                  .join(' / ')
              : datasetId != null
                ? (dataset.data?.name ?? '…')
                : null
          }
          onHome={() => navigate({ name: 'home' })}
          theme={theme}
          onTheme={setTheme}
          onHelp={() => setHelp(true)}
          extra={
            <>
              <UndoControl list={historyList.data} onStep={(d) => void history(d)} />
              <a className="btn btn-ghost" href="#/models" data-testid="nav-models">
                {t('captioning.nav')}
              </a>
              <a className="btn btn-ghost" href="#/glossary" data-testid="nav-glossary">
                {t('glossary.link')}
              </a>
              <SettingsButton onClick={() => setSettings(true)} />
            </>
          }
        />
        {route.name === 'dataset' ? (
          <DatasetPage
            key={`${route.id}:${JSON.stringify(route.link ?? null)}`}
            datasetId={route.id}
            link={route.link}
          />
        ) : route.name === 'stats' ? (
          <Suspense fallback={<main className="stats-page">{t('grid.loading')}</main>}>
            <StatsPage
              key={route.id}
              datasetId={route.id}
              onFilter={(link) => navigate({ name: 'dataset', id: route.id, link })}
            />
          </Suspense>
        ) : route.name === 'dupes' ? (
          <DupesPage key={route.id} datasetId={route.id} />
        ) : route.name === 'models' ? (
          <ModelsPage />
        ) : route.name === 'glossary' ? (
          <GlossaryPage
            datasetId={route.datasetId}
            onScope={(id) => navigate({ name: 'glossary', datasetId: id })}
          />
        ) : (
          <LibraryHome onOpen={(id) => navigate({ name: 'dataset', id })} />
        )}
        <JobPanel onOpen={(id) => navigate({ name: 'dataset', id })} />
        {help && (
          <ShortcutSheet
            onClose={() => setHelp(false)}
            onCustomise={() => {
              setHelp(false)
              setSettings(true)
            }}
          />
        )}
        {settings && <SettingsDialog onClose={() => setSettings(false)} />}
      </div>
    </KeyActionsContext.Provider>
  )
}
