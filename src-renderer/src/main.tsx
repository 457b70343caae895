import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import './i18n'
import './styles/base.css'
import './styles/layout.css'
import './styles/grid.css'
import './styles/editor.css'
import './styles/overlays.css'
import './styles/studio.css'
import { App } from './App'
import { ChangesProvider } from './api/query'
import { JobsProvider } from './components/jobs'
import { ToastProvider } from './components/Toasts'

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // the core pushes 'library.changed'; no polling or focus refetch needed
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: 1
    }
  }
})

const root = document.getElementById('root')
if (!root) throw new Error('#root missing from index.html')
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ChangesProvider>
        <ToastProvider>
          <JobsProvider>
            <App />
          </JobsProvider>
        </ToastProvider>
      </ChangesProvider>
    </QueryClientProvider>
  </StrictMode>
)
