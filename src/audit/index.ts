// Public surface of the audit module.
export { auditModule, type AuditModuleOptions, type AuditStats } from './module.ts';
