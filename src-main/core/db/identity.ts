/** `PRAGMA application_id` of a Glossa library: the bytes "Glsa" (see open.ts). */
export const GLOSSA_APPLICATION_ID = 0x476c7361
/** Schema versions written before libraries carried the application id. */
export const LEGACY_MAX_VERSION = 9
