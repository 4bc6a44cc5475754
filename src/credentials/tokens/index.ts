// Public file of platform tokens: audience-bound ES256 JWTs and their authenticator.
export { PlatformTokens, audienceFor, createPlatformTokenAuthenticator } from './platform-tokens.ts';
