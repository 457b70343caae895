import type { Migration } from './index'

/**
 * Captioning, issues 13 and 16:
 *  - endpoints: OpenAI-compatible servers registered as models (`models endpoint add`). The
 *    definition (base URL, server model name, concurrency, max side, the NAME of the environment
 *    variable holding the key, …) is stored as validated JSON; an API key never is.
 *  - caption_prompts: per image and language, the prompt the last model run sent (the preset
 *    rendered with the image's glossary knowledge or raw caption, and for local chat VLMs the chat
 *    template's output), the glossary entries it carried, the provenance and the text of the
 *    caption it produced, so the editor can show the exact prompt and lint can check that the
 *    caption (while it is still that text) names the entities the prompt injected. Written in the
 *    same transaction as the caption.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'endpoints-prompts',
  up(db) {
    db.exec(`
CREATE TABLE endpoints (
  name        TEXT PRIMARY KEY,
  definition  TEXT NOT NULL,
  added_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE caption_prompts (
  image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  lang       TEXT NOT NULL CHECK (lang IN ('zh','en')),
  source     TEXT NOT NULL,
  prompt     TEXT NOT NULL,
  rendered   TEXT,
  knowledge  TEXT NOT NULL DEFAULT '[]',
  caption    TEXT NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (image_id, lang)
) WITHOUT ROWID;
`)
  }
}
