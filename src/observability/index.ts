// Public surface of observability: the server module (metrics, request log), the logger, and the timing wrappers
// the server puts around authenticators and storage.
export { observabilityModule } from './module.ts';
export { createLogger } from './logger.ts';
export { timeAuthenticator } from './authn-timing.ts';
export { instrumentStorage, type StorageObserver } from './storage-metrics.ts';
