// Client-certificate authenticator: a TLS peer certificate verified against the Portcullis CA and not revoked;
// user = subject CN, groups = subject O; a certificate naming clusters (URI SANs urn:portcullis:cluster:<name>) is
// honoured only in those. The https server runs with { requestCert: true, rejectUnauthorized: false, ca }.
import { connectionOf } from '../../apiserver/context.ts';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { unauthorized } from '../../apiserver/errors.ts';
import { normalizeSerialHex } from '../../pki/serial.ts';
import { CLUSTER_URI_PREFIX } from '../../pki/certs.ts';
import type { Authenticator, AuthnResult } from '../../apiserver/auth/types.ts';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export interface X509AuthenticatorOptions {
  /** Serial in canonical form: lower-case hex without leading zeros (normalizeSerialHex in src/pki/serial.ts). */
  isRevoked?: (serialHex: string) => boolean;
}

/** OpenSSL verification codes mapped to the wording Go's crypto/x509 uses (what kube-apiserver reports). */
function describeVerifyError(code: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'x509: certificate has expired or is not yet valid';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'x509: certificate signed by unknown authority';
    case 'INVALID_PURPOSE':
      return 'x509: certificate specifies an incompatible key usage';
    case 'CERT_SIGNATURE_FAILURE':
      return 'x509: certificate signature is invalid';
    default:
      return `x509: certificate verification failed (${code || 'unknown error'})`;
  }
}

function isTlsSocket(s: unknown): s is TLSSocket {
  return typeof (s as TLSSocket | undefined)?.getPeerCertificate === 'function';
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Verified { result?: AuthnResult; error?: string; serial: string; notAfterMs: number; clusters?: string[] }

/** The clusters a certificate is limited to (its urn:portcullis:cluster:<name> URI SANs); empty: not limited. */
export function certificateClusters(subjectAltName: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (subjectAltName ?? '').split(', ')) {
    if (part.startsWith(`URI:${CLUSTER_URI_PREFIX}`)) out.push(part.slice(4 + CLUSTER_URI_PREFIX.length));
  }
  return out;
}

/** Verifies the peer certificate once per TLS connection; revocation and expiry are still checked per request. */
function verifyPeer(socket: TLSSocket): Verified | null {
  const cert: PeerCertificate | Record<string, never> = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return null;
  const serial = cert.serialNumber ? normalizeSerialHex(cert.serialNumber) : '';
  const notAfterMs = Date.parse(String(cert.valid_to ?? ''));
  if (!socket.authorized) return { error: describeVerifyError(String(socket.authorizationError ?? '')), serial, notAfterMs };
  const eku = (cert as PeerCertificate & { ext_key_usage?: string[] }).ext_key_usage;
  if (eku && !eku.includes(CLIENT_AUTH_OID)) return { error: 'x509: certificate specifies an incompatible key usage (clientAuth required)', serial, notAfterMs };
  const cn = asList(cert.subject?.CN)[0] ?? '';
  if (!cn) return { error: 'x509: certificate subject has no common name', serial, notAfterMs };
  const groups = asList(cert.subject?.O).filter((g) => g !== '');
  const clusters = certificateClusters(cert.subjectaltname);
  return {
    serial, notAfterMs, ...(clusters.length ? { clusters } : {}),
    result: Object.freeze({
      user: Object.freeze({ username: cn, groups: Object.freeze(groups) as string[] }),
      reason: `x509: CN=${cn}${groups.length ? ` O=${groups.join(',')}` : ''} serial=${serial}`,
      credentialId: `x509:${serial}`,
      expiresMs: notAfterMs,
    }),
  };
}

export function createX509Authenticator(opts: X509AuthenticatorOptions = {}): Authenticator {
  const perConnection = new WeakMap<TLSSocket, Verified | null>();
  return {
    name: 'x509',
    authenticate({ req, cluster }): AuthnResult | null {
      const socket = connectionOf(req);
      if (!isTlsSocket(socket)) return null;
      let v = perConnection.get(socket);
      if (v === undefined) { v = verifyPeer(socket); perConnection.set(socket, v); }
      if (v === null) return null;
      if (v.error) throw unauthorized(v.error);
      if (Date.now() > v.notAfterMs) throw unauthorized('x509: certificate has expired or is not yet valid');
      if (opts.isRevoked?.(v.serial)) throw unauthorized('x509: certificate has been revoked');
      if (v.clusters && !v.clusters.includes(cluster)) {
        throw unauthorized(`x509: certificate is valid only for cluster${v.clusters.length > 1 ? 's' : ''} ${v.clusters.map((c) => `"${c}"`).join(', ')}`);
      }
      return v.result!; // frozen: shared by the connection's requests
    },
  };
}
