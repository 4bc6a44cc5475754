// Public surface of the authenticators: ServiceAccount tokens (sign, verify, authenticate) and client certificates.
export {
  createServiceAccountTokenAuthenticator, createTokenSigner, createTokenVerifier, type TokenSigner,
} from './sa-token.ts';
export { createX509Authenticator } from './x509.ts';
