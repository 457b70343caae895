import { useCallback, useEffect, useState } from 'react'
import { linkHash, parseLink, type GridLink } from '../components/StatsLinks'

export type Route =
  | { name: 'home' }
  | { name: 'dataset'; id: number; link?: GridLink }
  | { name: 'stats'; id: number }
  | { name: 'dupes'; id: number }
  | { name: 'glossary'; datasetId: number | null }
  | { name: 'models' }

function parse(hash: string): Route {
  if (/^#\/models\b/.test(hash)) return { name: 'models' }
  const g = /^#\/(?:datasets\/(\d+)\/)?glossary\b/.exec(hash)
  if (g) return { name: 'glossary', datasetId: g[1] ? Number(g[1]) : null }
  const sd = /^#\/datasets\/(\d+)\/(stats|dupes)\b/.exec(hash)
  if (sd) return { name: sd[2] === 'stats' ? 'stats' : 'dupes', id: Number(sd[1]) }
  const m = /^#\/datasets\/(\d+)(?:\?(.*))?/.exec(hash)
  if (!m) return { name: 'home' }
  const link = parseLink(m[2])
  return link ? { name: 'dataset', id: Number(m[1]), link } : { name: 'dataset', id: Number(m[1]) }
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
            : r.name === 'stats' || r.name === 'dupes'
              ? `#/datasets/${r.id}/${r.name}`
              : linkHash(r.id, r.link)
  }, [])
  return [route, navigate]
}
