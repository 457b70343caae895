/**
 * Read and write access typed apart (as Signal Desktop's `ReadableDB` / `WritableDB`): a query
 * that only reads takes a `ReadableDB`; one that writes, or calls a writer, takes a `WritableDB`.
 * A `WritableDB` is also readable; a `ReadableDB` (a read-only open) cannot be passed to a
 * writer, so a read path that starts writing fails to compile rather than at run time. The brands
 * exist only for the type checker: both are better-sqlite3 connections.
 */
import type { Database } from 'better-sqlite3'

declare const readable: unique symbol
declare const writable: unique symbol

export type ReadableDB = Database & { readonly [readable]: true }
export type WritableDB = ReadableDB & { readonly [writable]: true }
