import { useEffect, useRef } from 'react'
import type { EventName, Events } from '@shared/api'
import { client } from './client'

/** Subscribes to a push event for the component's lifetime; the latest callback is always used. */
export function useEvent<E extends EventName>(event: E, cb: (payload: Events[E]) => void): void {
  const ref = useRef(cb)
  useEffect(() => {
    ref.current = cb
  })
  useEffect(() => client.on(event, (p) => ref.current(p)), [event])
}
