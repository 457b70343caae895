import { useCall } from '../api/query'

/** The settings key of fast review (boolean; absent = on). */
export const ADVANCE_KEY = 'advanceOnReview'

/** Fast review: after approve / reject / needs work the next image is selected (on by default). */
export function useAdvanceOnReview(): boolean {
  const q = useCall('settings.get', { key: ADVANCE_KEY }, { staleTime: Infinity })
  return q.data?.value !== false
}
