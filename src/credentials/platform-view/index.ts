// Public file of what credentials read from platform objects in root: platform users' live identity, each
// tenant cluster's project and host, and each project's credential policy.
export { IdentityIndex, type IdentitySource } from './identity.ts';
export { PlatformIndex, strictest } from './platform-index.ts';
