import { useCallback, useEffect, useState } from 'react'

export type Route =
  | { name: 'home' }
  | { name: 'dataset'; id: number }
  | { name: 'glossary'; datasetId: number | null }
  | { name: 'models' }

function parse(hash: string): Route {
  if (/^#\/models\b/.test(hash)) return { name: 'models' }
  const g = /^#\/(?:datasets\/(\d+)\/)?glossary\b/.exec(hash)
  if (g) return { name: 'glossary', datasetId: g[1] ? Number(g[1]) : null }
  const m = /^#\/datasets\/(\d+)/.exec(hash)
  return m ? { name: 'dataset', id: Number(m[1]) } : { name: 'home' }
}

/** Hash routing keeps the server's only page at `/` and survives a reload. */
export function useHashRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parse(location.hash))
  useEffect(() => {
    const onChange = (): void => setRoute(parse(location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  const navigate = useCallback((r: Route) => {
    location.hash =
      r.name === 'home'
        ? '#/'
        : r.name === 'models'
          ? '#/models'
          : r.name === 'glossary'
            ? r.datasetId == null
              ? '#/glossary'
              : `#/datasets/${r.datasetId}/glossary`
            : `#/datasets/${r.id}`
  }, [])
  return [route, navigate]
}
