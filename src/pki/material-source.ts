// Where CA and server-certificate material is kept: the PkiMaterialSource interface and its file implementation
// (ca.crt, ca.key, server.crt, server.key; keys mode 0600). A database-backed source can implement the same interface.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PemPair } from './certs.ts';

export interface PkiMaterial {
  ca: PemPair;
  /** Absent when only the CA has been created (or the server pair was removed); it is then (re)issued. */
  server?: PemPair;
}

export interface PkiMaterialSource {
  /** Human-readable location, for log and error messages. */
  readonly description: string;
  /** null when no CA exists yet. */
  load(): Promise<PkiMaterial | null>;
  save(material: PkiMaterial): Promise<void>;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode); // writeFile's mode is filtered by the umask
  await rename(tmp, path);
}

export const PKI_FILES = { caCert: 'ca.crt', caKey: 'ca.key', serverCert: 'server.crt', serverKey: 'server.key' } as const;

export function createFilePkiMaterialSource(dir: string): PkiMaterialSource {
  const p = (name: string) => join(dir, name);
  const pair = async (certFile: string, keyFile: string): Promise<PemPair | undefined> => {
    const [certPem, keyPem] = await Promise.all([readOptional(p(certFile)), readOptional(p(keyFile))]);
    if (certPem === undefined && keyPem === undefined) return undefined;
    if (certPem === undefined || keyPem === undefined) {
      throw new Error(`incomplete PKI material in ${dir}: ${certFile} and ${keyFile} must both exist or both be absent`);
    }
    return { certPem, keyPem };
  };
  return {
    description: `directory ${dir}`,
    async load() {
      const ca = await pair(PKI_FILES.caCert, PKI_FILES.caKey);
      if (!ca) {
        if (await pair(PKI_FILES.serverCert, PKI_FILES.serverKey)) {
          throw new Error(`server certificate found in ${dir} without its CA (${PKI_FILES.caCert}, ${PKI_FILES.caKey})`);
        }
        return null;
      }
      return { ca, server: await pair(PKI_FILES.serverCert, PKI_FILES.serverKey) };
    },
    async save(m) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeAtomic(p(PKI_FILES.caKey), m.ca.keyPem, 0o600);
      await writeAtomic(p(PKI_FILES.caCert), m.ca.certPem, 0o644);
      if (m.server) {
        await writeAtomic(p(PKI_FILES.serverKey), m.server.keyPem, 0o600);
        await writeAtomic(p(PKI_FILES.serverCert), m.server.certPem, 0o644);
      }
    },
  };
}
