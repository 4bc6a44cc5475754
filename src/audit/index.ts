// Public surface of the audit module.
export { auditModule, type AuditModuleOptions } from './module.ts';
