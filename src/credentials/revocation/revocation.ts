// The revocation list: CredentialRevocation objects in root (so every replica sharing the store sees them), indexed
// in memory for O(1) checks of certificate serials and token jtis, and the CA-signed CRL built from the serials.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Informer } from '../../apiserver/controllers/informer.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { normalizeSerialHex } from '../../pki/serial.ts';
import { x509 } from '../../pki/x509-lib.ts';
import { importPrivateKeyPem, type PemPair } from '../../pki/certs.ts';
import { API_VERSION, revocationType, type RevocationSpec } from '../resources/index.ts';

export class RevocationList {
  private readonly serials = new Map<string, RevocationSpec>();
  private readonly jtis = new Map<string, RevocationSpec>();
  private generation = 0;
  private crlCache?: { generation: number; der: ArrayBuffer; at: number };
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly store: Store) {}

  register(informer: Informer): void {
    informer.on(revocationType.group, revocationType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const spec = ev.object.spec as RevocationSpec | undefined;
      if (!spec) return;
      const map = spec.type === 'serial' ? this.serials : this.jtis;
      if (ev.type === 'DELETED') map.delete(spec.value); else map.set(spec.value, spec);
      this.bump();
    });
  }

  /** Adds a listener told synchronously of every change to the list (here or from another replica). */
  onChange(listener: () => void): void { this.listeners.push(listener); }

  private bump(): void {
    this.generation++;
    for (const l of this.listeners) l();
  }

  readonly isSerialRevoked = (serialHex: string): boolean => this.serials.has(serialHex);
  readonly isJtiRevoked = (jti: string): boolean => this.jtis.has(jti);
  /** Why a token was revoked (for its 401), when it was. */
  readonly jtiRevocationReason = (jti: string): string | undefined => this.jtis.get(jti)?.reason;

  /** Stores a revocation (idempotent) and applies it locally at once. */
  async revoke(spec: RevocationSpec): Promise<void> {
    const value = spec.type === 'serial' ? normalizeSerialHex(spec.value) : spec.value;
    const full: RevocationSpec = { ...spec, value, revokedAt: spec.revokedAt ?? new Date().toISOString() };
    const name = `${spec.type}-${value}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 253);
    try {
      await this.store.create({ cluster: ROOT_CLUSTER }, revocationType, '', {
        apiVersion: API_VERSION, kind: 'CredentialRevocation', metadata: { name }, spec: full,
      });
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
    (spec.type === 'serial' ? this.serials : this.jtis).set(value, full);
    this.bump();
  }

  /** Revocations whose credential has expired anyway (safe to forget). */
  expired(nowMs: number): string[] {
    const out: string[] = [];
    for (const s of [...this.serials.values(), ...this.jtis.values()]) {
      if (Date.parse(s.expiresAt) + 3_600_000 < nowMs) out.push(`${s.type}-${s.value}`);
    }
    return out;
  }

  /** DER CRL of every revoked serial, signed by the CA (rebuilt when the list changes, or hourly). */
  async crl(ca: PemPair, nowMs: number): Promise<ArrayBuffer> {
    const c = this.crlCache;
    if (c && c.generation === this.generation && nowMs - c.at < 3_600_000) return c.der;
    const caCert = new x509.X509Certificate(ca.certPem);
    const key = await importPrivateKeyPem(ca.keyPem);
    const crl = await x509.X509CrlGenerator.create({
      issuer: caCert.subjectName,
      thisUpdate: new Date(nowMs),
      nextUpdate: new Date(nowMs + 24 * 3_600_000),
      entries: [...this.serials.values()].map((s) => ({ serialNumber: s.value.length % 2 ? `0${s.value}` : s.value, revocationDate: s.revokedAt ? new Date(s.revokedAt) : new Date(nowMs), reason: x509.X509CrlReason.cessationOfOperation })),
      signingKey: key,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey)],
    });
    this.crlCache = { generation: this.generation, der: crl.rawData, at: nowMs };
    return crl.rawData;
  }
}
