import type { Database } from 'better-sqlite3'
import { migration0001 } from './0001-initial'
import { migration0002 } from './0002-grid-indexes'
import { migration0003 } from './0003-captioning'
import { migration0004 } from './0004-glossary'
import { migration0005 } from './0005-datatools'
import { migration0006 } from './0006-review'
import { migration0007 } from './0007-stats'
import { migration0008 } from './0008-journal-state'
import { migration0009 } from './0009-fts-merge'
import { migration0010 } from './0010-job-leases'
import { migration0011 } from './0011-endpoints-prompts'
import { migration0012 } from './0012-summaries'
import { migration0013 } from './0013-name-index'

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

/** Every migration, in order. Append only; never edit one that has shipped. */
export const MIGRATIONS: Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013
]
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
