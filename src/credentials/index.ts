// Public surface of the credentials capability (access keys, platform tokens, Kubeconfig objects, revocation, inventory).
export { credentialsModule, credentialsApi, type CredentialsApi, type CredentialsModule, type CredentialsModuleOptions } from './module.ts';
export { audienceFor } from './tokens/platform-tokens.ts';
export { parseDuration, formatDuration } from './resources/duration.ts';
export { GROUP, API_VERSION, KEY_PREFIX, accessKeyType, kubeconfigType, issuedTokenType, revocationType, type Scope, type AccessKeySpec, type KubeconfigSpec } from './resources/types.ts';
export type { CredentialItem } from './self-service/core.ts';
