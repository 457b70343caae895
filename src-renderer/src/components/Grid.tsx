import { useEffect, useMemo } from 'react'
import type { ReactNode, RefObject } from 'react'
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import type { ColumnDef, OnChangeFn, SortingState, Table } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useTranslation } from 'react-i18next'
import type { ImageRow, SortKey } from '@shared/api'

export const ROW_H = 52
const HEADER_H = 34
/** Start fetching the next page when this close to the end of what is loaded. */
const PREFETCH_PX = 500

/** Grid column id → server sort key (columns without one are not sortable). */
export const SORT_KEY_OF: Record<string, SortKey> = {
  fileName: 'name',
  concept: 'folder',
  status: 'status',
  size: 'width'
}

const TEMPLATE =
  '60px minmax(140px, 1.1fr) minmax(80px, 0.6fr) minmax(160px, 2fr) minmax(160px, 2fr) minmax(100px, 1fr) 104px 88px'

function StatusPill({ status }: { status: ImageRow['status'] }): ReactNode {
  const { t } = useTranslation()
  return (
    <span className={`pill status-${status}`}>
      <i className={`dot status-bg-${status}`} />
      {t(`status.${status}`)}
    </span>
  )
}

function useColumns(): ColumnDef<ImageRow>[] {
  const { t, i18n } = useTranslation()
  return useMemo<ColumnDef<ImageRow>[]>(
    () => [
      {
        id: 'thumb',
        header: () => <span className="sr-only">{t('grid.thumb')}</span>,
        cell: ({ row }) =>
          row.original.error ? (
            <div className="thumb thumb-error" title={row.original.error}>
              !
            </div>
          ) : (
            <img
              className="thumb"
              src={`media/thumb/${row.original.id}`}
              loading="lazy"
              decoding="async"
              alt=""
              draggable={false}
            />
          )
      },
      {
        id: 'fileName',
        accessorFn: (r) => r.fileName,
        header: () => t('grid.fileName'),
        cell: ({ row }) => (
          <span className="cell-name" title={row.original.relPath}>
            {row.original.fileName}
          </span>
        )
      },
      {
        id: 'concept',
        accessorFn: (r) => r.concept,
        header: () => t('grid.concept'),
        cell: ({ row }) => row.original.concept
      },
      {
        id: 'zh',
        header: () => t('grid.zh'),
        cell: ({ row }) => (
          <span className="clamp" lang="zh">
            {row.original.zh}
          </span>
        )
      },
      {
        id: 'en',
        header: () => t('grid.en'),
        cell: ({ row }) => (
          <span className="clamp" lang="en">
            {row.original.en}
          </span>
        )
      },
      {
        id: 'tags',
        header: () => t('grid.tags'),
        cell: ({ row }) => <span className="clamp muted">{row.original.tags.join(', ')}</span>
      },
      {
        id: 'status',
        accessorFn: (r) => r.status,
        header: () => t('grid.status'),
        cell: ({ row }) => <StatusPill status={row.original.status} />
      },
      {
        id: 'size',
        accessorFn: (r) => r.width ?? 0,
        sortDescFirst: false,
        header: () => t('grid.size'),
        cell: ({ row }) =>
          row.original.width && row.original.height ? (
            <span className="mono muted">
              {row.original.width}×{row.original.height}
            </span>
          ) : null
      }
    ],
    // i18n.language: headers re-render with the UI language
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, i18n.language]
  )
}

interface BodyProps {
  table: Table<ImageRow>
  scrollRef: RefObject<HTMLDivElement | null>
  selectedId: number | null
  onSelect(id: number): void
}

/** The virtualizer lives here, the lowest component, so scrolling re-renders only the body. */
function TableBody({ table, scrollRef, selectedId, onSelect }: BodyProps): ReactNode {
  const rows = table.getRowModel().rows
  // TanStack Virtual/Table hand out unstable functions, so the React Compiler skips these two
  // components; that is expected and they are not memoised by hand either
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_H,
    getScrollElement: () => scrollRef.current,
    overscan: 8,
    scrollMargin: HEADER_H,
    scrollPaddingStart: HEADER_H
  })
  const selectedIndex = useMemo(
    () => (selectedId == null ? -1 : rows.findIndex((r) => r.original.id === selectedId)),
    [rows, selectedId]
  )
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' })
  }, [selectedIndex, virtualizer])

  return (
    <tbody className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((v) => {
        const row = rows[v.index]
        if (!row) return null
        const selected = row.original.id === selectedId
        return (
          <tr
            key={row.id}
            className={`grid-row ${selected ? 'selected' : ''} ${row.original.error ? 'has-error' : ''}`}
            style={{ transform: `translateY(${v.start - HEADER_H}px)` }}
            onMouseDown={() => onSelect(row.original.id)}
            aria-selected={selected}
            data-testid="grid-row"
            data-id={row.original.id}
            data-index={v.index}
          >
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} className={`cell cell-${cell.column.id}`}>
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </td>
            ))}
          </tr>
        )
      })}
    </tbody>
  )
}

interface GridProps {
  rows: ImageRow[]
  sorting: SortingState
  onSortingChange: OnChangeFn<SortingState>
  selectedId: number | null
  onSelect(id: number): void
  scrollRef: RefObject<HTMLDivElement | null>
  hasNextPage: boolean
  fetchingNext: boolean
  fetchNextPage(): void
  loading: boolean
}

export function Grid(p: GridProps): ReactNode {
  const { t } = useTranslation()
  const columns = useColumns()
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: p.rows,
    columns,
    state: { sorting: p.sorting },
    onSortingChange: p.onSortingChange,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id)
  })

  const { scrollRef, hasNextPage, fetchingNext, fetchNextPage } = p
  const maybeFetch = (): void => {
    const el = scrollRef.current
    if (!el || !hasNextPage || fetchingNext) return
    if (el.scrollHeight - el.scrollTop - el.clientHeight < PREFETCH_PX) fetchNextPage()
  }
  // a short first page may not fill the viewport: check after every load too
  useEffect(maybeFetch)

  return (
    <div
      className="grid-scroll"
      ref={scrollRef}
      onScroll={maybeFetch}
      tabIndex={0}
      data-testid="grid"
      style={{ ['--grid-template' as string]: TEMPLATE }}
    >
      <table className="grid-table" role="grid">
        <thead className="grid-head" style={{ height: HEADER_H }}>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id} className="grid-row grid-head-row">
              {hg.headers.map((h) => {
                const sortable = h.column.id in SORT_KEY_OF
                const dir = h.column.getIsSorted()
                return (
                  <th
                    key={h.id}
                    className={`cell cell-${h.column.id} ${sortable ? 'sortable' : ''}`}
                    aria-sort={
                      dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined
                    }
                    onClick={sortable ? h.column.getToggleSortingHandler() : undefined}
                    data-testid={`col-${h.column.id}`}
                  >
                    {flexRender(h.column.columnDef.header, h.getContext())}
                    {sortable && (
                      <span className="sort-ind">
                        {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : ''}
                      </span>
                    )}
                  </th>
                )
              })}
            </tr>
          ))}
        </thead>
        <TableBody
          table={table}
          scrollRef={scrollRef}
          selectedId={p.selectedId}
          onSelect={p.onSelect}
        />
      </table>
      {!p.loading && p.rows.length === 0 && <div className="grid-empty">{t('grid.empty')}</div>}
    </div>
  )
}
