// Canonical certificate serial numbers (dependency-free so authenticators and revocation lists can share it):
// lower-case hex without leading zeros or separators, as used in issuance, revocation and authentication.
import { randomBytes } from 'node:crypto';

export function normalizeSerialHex(hex: string): string {
  const s = hex.replace(/[:\s]/g, '').toLowerCase().replace(/^0+/, '');
  return s === '' ? '0' : s;
}

/** A random 128-bit serial number (its DER encoding adds a sign byte when needed). */
export function randomSerialHex(): string {
  return normalizeSerialHex(randomBytes(16).toString('hex'));
}
