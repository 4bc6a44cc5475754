// Public file of access keys: admission (owner, policy, the secret), the authenticator and its index,
// secrets and their hashing, the one-time reveal, and batched last-used bookkeeping.
export { accessKeyAdmission, checkKeyPolicy } from './access-key-admission.ts';
export { createAccessKeyAuthenticator, createKeySecretAuthenticator, CREDENTIAL_EXTRA, type KeySecretAuthenticator } from './access-key-authn.ts';
export { AccessKeyIndex, type KeyEntry } from './access-key-index.ts';
export { LastUsedWriter } from './last-used.ts';
export { SecretReveal } from './reveal.ts';
export { createHasher, generateKeySecret, hashesEqual, type SecretHasher } from './secrets.ts';
export { setupAccessKeys, type AccessKeyWiring } from './setup.ts';
