import type { Database } from 'better-sqlite3'
import { migration0001 } from './0001-initial'
import { migration0002 } from './0002-grid-indexes'

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

/** Every migration, in order. Append only; never edit one that has shipped. */
export const MIGRATIONS: Migration[] = [migration0001, migration0002]
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
