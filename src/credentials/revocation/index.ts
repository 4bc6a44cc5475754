// Public file of revocation: the list of revoked certificate serials and token ids, and the CRL.
export { RevocationList } from './revocation.ts';
