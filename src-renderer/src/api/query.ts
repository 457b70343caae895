/**
 * The studio's data layer: `useCall` reads a contract method through TanStack Query under the key
 * `[method, args]`; `useMutate` calls a method that writes and reports what it changed; the
 * `ChangeFeed` turns those reports and the core's push events (`library.changed`, `job.finished`)
 * into invalidations through the one map in ./changes.ts, so a result is read again exactly when
 * something it depends on may have changed.
 */
import { createContext, createElement, useContext, useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type {
  QueryClient,
  UseMutationOptions,
  UseMutationResult,
  UseQueryOptions,
  UseQueryResult
} from '@tanstack/react-query'
import type { Args, MethodName, Result } from '@shared/api'
import { call, client } from './client'
import type { CallError } from './client'
import {
  affects,
  callKey,
  changeOfCall,
  changeOfEvent,
  changeOfJob,
  mergeChanges,
  type Change
} from './changes'

export { callKey } from './changes'

/** Bursts of changes (an import emits one per batch) are coalesced over this many ms. */
const COALESCE_MS = 50

/** Collects changes, and once a burst settles invalidates the queries they affect. */
export class ChangeFeed {
  private pending: Change | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly listeners = new Set<(c: Change) => void>()

  constructor(
    private readonly qc: QueryClient,
    private readonly delay = COALESCE_MS
  ) {}

  note(change: Change): void {
    this.pending = this.pending ? mergeChanges(this.pending, change) : change
    this.timer ??= setTimeout(() => this.flush(), this.delay)
  }

  /** Applies what is pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const c = this.pending
    this.pending = null
    if (!c) return
    void this.qc.invalidateQueries({ predicate: (q) => affects(q.queryKey, c) })
    for (const l of this.listeners) l(c)
  }

  /** Hears every coalesced change (the grid re-reads its own pages from it). */
  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.pending = null
  }
}

const FeedContext = createContext<ChangeFeed | null>(null)

/** Creates the feed and feeds it the core's events, for as long as the studio is open. */
export function ChangesProvider({ children }: { children: ReactNode }): ReactNode {
  const qc = useQueryClient()
  const [feed] = useState(() => new ChangeFeed(qc))
  useEffect(() => {
    const offChanged = client.on('library.changed', (e) => feed.note(changeOfEvent(e)))
    const offJob = client.on('job.finished', (j) => feed.note(changeOfJob(j)))
    return () => {
      offChanged()
      offJob()
      feed.dispose()
    }
  }, [feed])
  return createElement(FeedContext.Provider, { value: feed }, children)
}

export function useChangeFeed(): ChangeFeed {
  const feed = useContext(FeedContext)
  if (!feed) throw new Error('useChangeFeed outside ChangesProvider')
  return feed
}

/** Calls `listener` with every coalesced change while the component is mounted. */
export function useChanges(listener: (c: Change) => void): void {
  const feed = useChangeFeed()
  const [ref] = useState(() => ({ current: listener }))
  useEffect(() => {
    ref.current = listener
  })
  useEffect(() => feed.subscribe((c) => ref.current(c)), [feed, ref])
}

export type CallOptions<M extends MethodName, T = Result<M>> = Omit<
  UseQueryOptions<Result<M>, CallError, T, readonly [M, Args<M>]>,
  'queryKey' | 'queryFn'
>

/** Reads `method(args)`, cached under `[method, args]` and refreshed by the change map. */
export function useCall<M extends MethodName, T = Result<M>>(
  method: M,
  args: Args<M>,
  options?: CallOptions<M, T>
): UseQueryResult<T, CallError> {
  return useQuery({
    ...options,
    queryKey: callKey(method, args),
    queryFn: () => call(method, args)
  })
}

export type MutateOptions<M extends MethodName> = Omit<
  UseMutationOptions<Result<M>, CallError, Args<M>>,
  'mutationFn'
>

/** Calls a method that writes; on success what it changed goes through the change map. */
export function useMutate<M extends MethodName>(
  method: M,
  options?: MutateOptions<M>
): UseMutationResult<Result<M>, CallError, Args<M>> {
  const feed = useChangeFeed()
  return useMutation({
    ...options,
    mutationFn: (args: Args<M>) => call(method, args),
    onSuccess: (data, args, ...rest) => {
      const c = changeOfCall(method, args, data)
      if (c) feed.note(c)
      return options?.onSuccess?.(data, args, ...rest)
    }
  })
}
