// The serviceaccounts/token subresource: TokenRequest → a signed, audience- and cluster-bound ServiceAccount token.
import type { RequestContext } from '../apiserver/context.ts';
import { clusterFrom } from '../apiserver/context.ts';
import { invalid } from '../apiserver/errors.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import type { SubresourceHandler } from '../apiserver/registry/types.ts';
import type { TokenSigner } from '../auth/authn/index.ts';
import type { IssuedTokenInfo } from '../apiserver/extension.ts';
import type { CredentialChains } from '../apiserver/auth/credential-chain.ts';

const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

/**
 * `chains`: the token records the requesting credential's lineage (it dies with any credential up that chain) and
 * never outlives it: expirationSeconds is clamped to the earliest end along the chain (status.expirationTimestamp).
 */
export function tokenSubresource(
  signer: TokenSigner, defaultAudiences: string[], onIssued?: (info: IssuedTokenInfo) => void,
  chains?: CredentialChains,
): SubresourceHandler {
  return {
    name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'],
    async handle(ctx: RequestContext, sa: KObject, body: KObject | undefined) {
      const spec = ((body?.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number });
      const audiences = spec.audiences?.length ? spec.audiences : defaultAudiences;
      const seconds = spec.expirationSeconds ?? 3600;
      if (!Number.isInteger(seconds) || seconds < MIN_SECONDS) {
        throw invalid('TokenRequest', 'authentication.k8s.io', sa.metadata.name!, [{ field: 'spec.expirationSeconds', message: `Invalid value: ${seconds}: may not specify a duration less than 10 minutes` }]);
      }
      if (seconds > MAX_SECONDS) {
        throw invalid('TokenRequest', 'authentication.k8s.io', sa.metadata.name!, [{ field: 'spec.expirationSeconds', message: `Invalid value: ${seconds}: may not specify a duration larger than 2^32 seconds` }]);
      }
      const cluster = clusterFrom(ctx);
      const lineage = chains?.lineage(ctx);
      let granted = seconds;
      if (lineage?.expiresMs !== undefined) {
        granted = Math.max(1, Math.min(seconds, Math.floor((lineage.expiresMs - Date.now()) / 1000)));
      }
      const chain = lineage?.refs.length ? lineage.refs : undefined;
      const issued = await signer.issueServiceAccountToken({
        cluster, namespace: sa.metadata.namespace!, name: sa.metadata.name!, uid: sa.metadata.uid!, audiences,
        expirationSeconds: granted, chain,
      });
      onIssued?.({
        cluster, namespace: sa.metadata.namespace!, name: sa.metadata.name!, jti: issued.jti,
        expires: issued.expirationTimestamp,
        requestedBy: ctx.user?.username, chain,
      });
      return {
        code: 201,
        object: {
          kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
          metadata: { name: sa.metadata.name, namespace: sa.metadata.namespace, creationTimestamp: null },
          spec: { audiences, expirationSeconds: granted, boundObjectRef: null },
          status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp.toISOString().replace(/\.\d+Z$/, 'Z') },
        },
      };
    },
  };
}
