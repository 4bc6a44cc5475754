// Public file of the credential kinds (AccessKey, Kubeconfig, IssuedToken, CredentialRevocation): resource
// types, schemas, scopes, and Go-style durations.
export * from './types.ts';
export { parseDuration, formatDuration } from './duration.ts';
