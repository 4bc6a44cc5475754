// The Portcullis PKI: loads or creates the CA and the API server's serving certificate, and issues client certificates.
// Material comes from a PkiMaterialSource (files by default) so it can later live in the database.
import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { isIP } from 'node:net';
import { createCa, issueLeafCert, loadSigningCa, BACKDATE_MS, CLUSTER_URI_PREFIX, type IssuedCert, type PemPair, type SigningCa } from './certs.ts';
import { createFilePkiMaterialSource, type PkiMaterialSource } from './material-source.ts';
import { normalizeSerialHex } from './serial.ts';

export type { IssuedCert } from './certs.ts';

const DAY_MS = 24 * 3600 * 1000;
const CA_VALIDITY_MS = 3650 * DAY_MS;
const SERVER_VALIDITY_MS = 365 * DAY_MS;
const DEFAULT_RENEW_BEFORE_MS = 30 * DAY_MS;
const DEFAULT_HOSTNAMES = ['localhost'];
const DEFAULT_IPS = ['127.0.0.1', '::1'];

export interface PkiOptions {
  /** Extra DNS names for the serving certificate (localhost is always included). IP literals are accepted too. */
  hostnames: string[];
  /** Extra IP SANs (127.0.0.1 and ::1 are always included). */
  ips: string[];
  /** Re-issue the serving certificate when it expires within this many seconds (default 30 days). */
  renewBeforeSeconds?: number;
  now?: () => Date;
}

export interface ClientCertRequest {
  commonName: string;
  organizations: string[];
  validitySeconds: number;
  /** When set, the certificate is honoured only in these logical clusters (URI SANs urn:portcullis:cluster:<name>). */
  clusters?: string[];
  /** Start of validity; defaults to now (then backdated 5 minutes for clock skew). notAfter = start + validity. */
  notBefore?: Date;
}

export interface Pki {
  readonly caCertPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** Serial (normalized hex) of the serving certificate. */
  readonly serverSerialHex: string;
  issueClientCert(req: ClientCertRequest): Promise<IssuedCert>;
}

/** Loads the PKI from `dir` (ca.crt, ca.key, server.crt, server.key), creating whatever is missing. */
export function loadOrCreatePki(dir: string, opts: PkiOptions): Promise<Pki> {
  return openPki(createFilePkiMaterialSource(dir), opts);
}

function sanList(opts: PkiOptions): { dnsNames: string[]; ips: string[] } {
  const dns = new Set(DEFAULT_HOSTNAMES);
  const ips = new Set(DEFAULT_IPS);
  for (const h of opts.hostnames) {
    const name = h.trim();
    if (!name) continue;
    if (isIP(name)) ips.add(name); else dns.add(name.toLowerCase());
  }
  for (const ip of opts.ips) {
    const v = ip.trim();
    if (!v) continue;
    if (!isIP(v)) throw new Error(`invalid IP address for the server certificate: "${ip}"`);
    ips.add(v);
  }
  return { dnsNames: [...dns], ips: [...ips] };
}

/** Why the serving certificate must be re-issued, or null if it is fine. */
function serverCertProblem(server: PemPair, ca: SigningCa, sans: { dnsNames: string[]; ips: string[] },
  now: Date, renewBeforeMs: number): string | null {
  let cert: NodeX509;
  try {
    cert = new NodeX509(server.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(server.keyPem))) return 'key does not match certificate';
  } catch {
    return 'unparseable';
  }
  const caCert = new NodeX509(ca.certPem);
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) {
    return 'not signed by the current CA';
  }
  if (new Date(cert.validTo).getTime() - now.getTime() < renewBeforeMs) return 'expires soon';
  if (new Date(cert.validFrom).getTime() > now.getTime()) return 'not valid yet';
  for (const d of sans.dnsNames) if (cert.checkHost(d, { wildcards: false }) === undefined) return `does not cover ${d}`;
  for (const ip of sans.ips) if (cert.checkIP(ip) === undefined) return `does not cover ${ip}`;
  return null;
}

/** Opens the PKI held by `source`, creating the CA and/or re-issuing the serving certificate as needed. */
export async function openPki(source: PkiMaterialSource, opts: PkiOptions): Promise<Pki> {
  const now = opts.now ?? (() => new Date());
  const sans = sanList(opts);
  const renewBeforeMs = (opts.renewBeforeSeconds ?? DEFAULT_RENEW_BEFORE_MS / 1000) * 1000;

  let material = await source.load();
  let dirty = false;
  if (!material) {
    const t = now();
    const ca = await createCa({
      commonName: `portcullis-ca@${Math.floor(t.getTime() / 1000)}`,
      notBefore: new Date(t.getTime() - BACKDATE_MS),
      notAfter: new Date(t.getTime() + CA_VALIDITY_MS),
    });
    material = { ca };
    dirty = true;
  }
  const ca = await loadSigningCa(material.ca);
  if (!material.server || serverCertProblem(material.server, ca, sans, now(), renewBeforeMs) !== null) {
    const t = now();
    const issued = await issueLeafCert(ca, {
      commonName: 'portcullis-apiserver',
      usage: 'server',
      notBefore: new Date(t.getTime() - BACKDATE_MS),
      notAfter: clampToCa(ca, new Date(t.getTime() + SERVER_VALIDITY_MS)),
      dnsNames: sans.dnsNames,
      ips: sans.ips,
    });
    material = { ca: material.ca, server: { certPem: issued.certPem, keyPem: issued.keyPem } };
    dirty = true;
  }
  if (dirty) await source.save(material);

  const server = material.server!;
  return {
    caCertPem: ca.certPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    serverSerialHex: normalizeSerialHex(new NodeX509(server.certPem).serialNumber),
    async issueClientCert(req) {
      const cn = req.commonName.trim();
      if (!cn) throw new Error('client certificate needs a non-empty common name');
      if (!Number.isInteger(req.validitySeconds) || req.validitySeconds <= 0) {
        throw new Error(`client certificate validity must be a positive integer number of seconds, got ${req.validitySeconds}`);
      }
      const start = req.notBefore ?? now();
      const notBefore = req.notBefore ?? new Date(start.getTime() - BACKDATE_MS);
      return issueLeafCert(ca, {
        commonName: cn,
        organizations: req.organizations,
        usage: 'client',
        notBefore,
        notAfter: clampToCa(ca, new Date(start.getTime() + req.validitySeconds * 1000)),
        uris: (req.clusters ?? []).map((c) => `${CLUSTER_URI_PREFIX}${c}`),
      });
    },
  };
}

/** No certificate outlives its CA (as the Kubernetes signer does). */
function clampToCa(ca: SigningCa, notAfter: Date): Date {
  return notAfter.getTime() > ca.cert.notAfter.getTime() ? new Date(ca.cert.notAfter.getTime()) : notAfter;
}
