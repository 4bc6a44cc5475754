// Public file of credential self-service: the operations behind /platform/v1 (sessions, tokens, rotation,
// the inventory, revocation), their routes, the self-service RBAC and the janitor.
export { CredentialsCore, type CredentialItem } from './core.ts';
export { credentialRoutes, type PasswordVerifier } from './routes.ts';
export { bootstrapSelfServiceRbac, startJanitor } from './bootstrap.ts';
export { setupSelfServiceRoutes } from './setup.ts';
export {
  DEFAULT_LOGIN_THROTTLE, LoginThrottle, createPasswordLogin, type LoginThrottleSettings, type PasswordLogin,
} from './login-throttle.ts';
