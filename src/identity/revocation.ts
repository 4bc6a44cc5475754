// Revoking every credential of a user the IdP no longer vouches for, through the credentials module: access keys are
// disabled (with the reason), platform and ServiceAccount tokens and certificate-kubeconfig serials go on the
// revocation list, so the credential inventory shows each as revoked. (i12b's derivation mechanism will take this over.)
import type { Store } from '../apiserver/registry/store.ts';
import { isNotFound, notFoundMessage } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { CredentialsApi } from '../credentials/index.ts';
import { accessKeyType, DISABLED_REASON_ANNOTATION, kubeconfigType, type KubeconfigStatus } from '../credentials/index.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export async function revokeAllCredentials(api: CredentialsApi, store: Store, username: string, reason: string, nowMs: number): Promise<number> {
  let n = 0;
  const core = api.core;
  for (const item of await core.list(username)) {
    const [kind, ref] = [item.id.slice(0, item.id.indexOf(':')), item.id.slice(item.id.indexOf(':') + 1)];
    try {
      if (kind === 'accesskey') {
        await store.update({ cluster: ROOT_CLUSTER }, accessKeyType, '', ref, (cur) => {
          if (!cur) throw notFoundMessage('gone');
          cur.spec = { ...(cur.spec ?? {}), disabled: true };
          cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [DISABLED_REASON_ANNOTATION]: reason.slice(0, 1000) };
          return cur;
        });
        n++;
      } else if ((kind === 'platformtoken' || kind === 'sa-token') && !item.revoked) {
        await core.d.revocations.revoke({ type: 'jti', value: ref, expiresAt: item.expires ?? iso(nowMs + 86_400_000), credentialId: item.id, reason });
        n++;
      } else if (kind === 'kubeconfig') {
        const dot = ref.indexOf('.');
        const o = await store.get(ROOT_CLUSTER, kubeconfigType, ref.slice(0, dot), ref.slice(dot + 1));
        const st = (o.status ?? {}) as KubeconfigStatus;
        const serials = st.serials ?? (st.serial ? [{ serial: st.serial, notAfter: st.notAfter ?? iso(nowMs + 86_400_000) }] : []);
        for (const s of serials) await core.d.revocations.revoke({ type: 'serial', value: s.serial, expiresAt: s.notAfter, credentialId: item.id, reason });
        if (serials.length) n++;
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return n;
}
