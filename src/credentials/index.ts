// Public surface of the credentials capability (access keys, platform tokens, Kubeconfig objects, revocation, inventory).
export { credentialsModule, credentialsApi, type CredentialsApi, type CredentialsModule, type CredentialsModuleOptions } from './module.ts';
export { audienceFor } from './tokens/index.ts';
export {
  parseDuration, formatDuration, GROUP, API_VERSION, KEY_PREFIX, accessKeyType, kubeconfigType, issuedTokenType, revocationType,
  type Scope, type AccessKeySpec, type KubeconfigSpec,
} from './resources/index.ts';
export type { CredentialItem } from './self-service/index.ts';
/** The access-key authenticator's parts, for the credentials benchmark (bench/credentials). */
export { AccessKeyIndex, createAccessKeyAuthenticator, createHasher, generateKeySecret } from './access-keys/index.ts';
export { IdentityIndex } from './platform-view/index.ts';
