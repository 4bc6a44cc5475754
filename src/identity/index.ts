// Public surface of the identity package: the server module and what tests and the CLI build on.
export { identityModule, type IdentityModule, type IdentityModuleOptions, type IdentityApi } from './module.ts';
export { identityProviderType, identitySessionType } from './types.ts';
export { SESSION_COOKIE } from './browser-session.ts';
