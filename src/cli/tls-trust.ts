// Trusting a server's self-signed CA from the CLI: its SHA-256 fingerprint, the CA a server presents
// (read without verifying, to show or pin it), and the message that says how to trust it.
import { X509Certificate, createHash } from 'node:crypto';
import tls from 'node:tls';

/** SHA-256 of the certificate's DER, as colon-separated upper-case hex (what browsers and openssl show). */
export function caFingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** Normalises "sha256:ab:cd...", "AB:CD..." or "abcd..." to the colon form caFingerprint returns. */
export function normaliseFingerprint(s: string): string {
  const hex = s.replace(/^sha256:/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error(`"${s}" is not a SHA-256 fingerprint (64 hex digits)`);
  return hex.match(/../g)!.join(':');
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED',
]);

/** Whether an https error means "the server's certificate is not signed by a CA we trust". */
export function isUntrustedCertError(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  return code !== undefined && UNTRUSTED.has(code);
}

/**
 * The root CA certificate a server presents at the end of its chain (no verification: only to show its
 * fingerprint or compare it with a pinned one). Undefined when the server sends no self-signed root.
 */
export function presentedCa(serverUrl: string, timeoutMs = 10_000): Promise<string | undefined> {
  const u = new URL(serverUrl);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443), rejectUnauthorized: false,
      servername: /^[\d.]+$|:/.test(u.hostname) ? undefined : u.hostname,
    }, () => {
      let cert = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert?.issuerCertificate && cert.issuerCertificate !== cert && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        cert = cert.issuerCertificate;
      }
      socket.end();
      if (!cert?.raw) return resolve(undefined);
      const x = new X509Certificate(cert.raw);
      resolve(x.issuer === x.subject ? x.toString() : undefined);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`timed out connecting to ${serverUrl}`)));
    socket.on('error', reject);
  });
}

/** What to tell a user whose login hit an untrusted certificate. */
export function untrustedMessage(serverUrl: string, fingerprint: string | undefined): string {
  return [
    `the certificate of ${serverUrl} is signed by an authority this machine does not trust`,
    fingerprint ? `(its CA's SHA-256 fingerprint is ${fingerprint}; \`npm start\` prints the same line on the server).` : '.',
    'Trust it with one of:',
    '  --ca-file <data-dir>/pki/ca.crt     (the CA file from the server machine)',
    fingerprint ? `  --ca-fingerprint ${fingerprint}` : '  --ca-fingerprint <SHA-256 printed by the server>',
    '  --insecure-skip-tls-verify         (no verification: only on a network you trust)',
  ].join('\n');
}
