// Public file of the platform's kinds (management.portcullis.io/v1): resource types, names and labels, spec
// schemas, strategies, and the in-memory state every platform feature reads.
export * from './types.ts';
export * from './schemas.ts';
export { defaultTenantSpec } from './strategies.ts';
export * from './state.ts';
export { watchPlatformObjects, inRoot, statusWrite } from './watch.ts';
export { page, pageQuery, MAX_PAGE, type Page, type PageQuery } from './paging.ts';
