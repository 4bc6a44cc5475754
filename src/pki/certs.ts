// Low-level X.509 building blocks: ECDSA key pairs, PEM (de)serialisation, CA and leaf certificates.
// Policy (what to issue, when to renew) lives in ca.ts; storage lives in material-source.ts.
import { createPrivateKey, type webcrypto } from 'node:crypto';
import { randomSerialHex } from './serial.ts';
import { x509 } from './x509-lib.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Client certificates are backdated this much (as the Kubernetes CSR signer does) to absorb clock skew. */
export const BACKDATE_MS = 5 * 60 * 1000;

/** URI SAN prefix binding a client certificate to logical clusters: urn:portcullis:cluster:<name> (see x509.ts). */
export const CLUSTER_URI_PREFIX = 'urn:portcullis:cluster:';

export interface PemPair { certPem: string; keyPem: string }
export interface IssuedCert extends PemPair { serialHex: string; notAfter: Date }
/** A CA ready to sign: parsed certificate plus private key. */
export interface SigningCa { cert: x509.X509Certificate; certPem: string; key: CryptoKey }

export function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(P256, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Imports an EC private key from PEM (PKCS#8 or SEC1) as a WebCrypto signing key. */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  const ko = createPrivateKey(pem);
  const curve = CURVES[ko.asymmetricKeyDetails?.namedCurve ?? ''];
  if (ko.asymmetricKeyType !== 'ec' || !curve) {
    throw new Error(`unsupported CA key type ${ko.asymmetricKeyType ?? 'unknown'} (need an ECDSA P-256/P-384/P-521 key)`);
  }
  const der = ko.export({ format: 'der', type: 'pkcs8' });
  return crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, true, ['sign']);
}

export async function loadSigningCa(pair: PemPair): Promise<SigningCa> {
  const cert = new x509.X509Certificate(pair.certPem);
  const key = await importPrivateKeyPem(pair.keyPem);
  return { cert, certPem: cert.toString('pem'), key };
}

export async function createCa(opts: { commonName: string; notBefore: Date; notAfter: Date }): Promise<PemPair> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: [{ CN: [opts.commonName] }],
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    keys,
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

export interface LeafRequest {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client';
  notBefore: Date;
  notAfter: Date;
  dnsNames?: string[];
  ips?: string[];
  /** URI subject alternative names (e.g. the clusters a client certificate is valid for). */
  uris?: string[];
}

/** Issues an end-entity certificate signed by `ca` with a fresh P-256 key. */
export async function issueLeafCert(ca: SigningCa, req: LeafRequest): Promise<IssuedCert> {
  const keys = await generateKeyPair();
  const serialHex = randomSerialHex();
  const subject: Record<string, string[]>[] = [{ CN: [req.commonName] }];
  for (const o of req.organizations ?? []) subject.push({ O: [o] });
  const eku = req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([eku]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  const names: x509.JsonGeneralName[] = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(req.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex,
    subject,
    issuer: ca.cert.subjectName,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING_ALG,
    extensions,
  });
  return {
    certPem: cert.toString('pem'),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    serialHex,
    notAfter: cert.notAfter,
  };
}
