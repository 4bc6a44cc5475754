// Public surface of the admission package: the server module (ValidatingAdmissionPolicy, admission webhooks).
export { admissionModule } from './module.ts';
export { forbiddenAddress, type SelfAddress } from './webhook-client.ts';
