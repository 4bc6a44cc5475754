// Public surface of the credentials capability (access keys, platform tokens, Kubeconfig objects, revocation, inventory).
export { credentialsModule, credentialsApi, type CredentialsApi, type CredentialsModule, type CredentialsModuleOptions } from './module.ts';
export { audienceFor } from './tokens/index.ts';
export {
  parseDuration, formatDuration, GROUP, API_VERSION, KEY_PREFIX, accessKeyType, kubeconfigType, issuedTokenType, revocationType,
  DISABLED_REASON_ANNOTATION, type Scope, type AccessKeySpec, type KubeconfigSpec, type KubeconfigStatus,
} from './resources/index.ts';
export type { CredentialItem } from './self-service/index.ts';
/** The access-key authenticator's parts, for the credentials benchmark (bench/credentials). */
export { AccessKeyIndex, createAccessKeyAuthenticator, createHasher, generateKeySecret, CREDENTIAL_EXTRA } from './access-keys/index.ts';
/** What the identity module builds on: live identities, project token limits, a request's credential scope. */
export { IdentityIndex, strictest, type IdentitySource } from './platform-view/index.ts';
export { requestScope, scopeOf, clusterAccess } from './scope/index.ts';
