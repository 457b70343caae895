/**
 * The endpoint definition schema lives with the contract (shared/contract/endpoint.ts) so the
 * API, the studio and the core validate endpoints with the same rules; re-exported here for the
 * endpoint modules.
 */
export * from '../../../shared/contract/endpoint'
