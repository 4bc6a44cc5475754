// The identity kinds in management.portcullis.io/v1 (root only): IdentityProvider (an OIDC IdP, global or of one
// project) and IdentitySession (one login through an IdP: the sealed refresh token and when groups were last confirmed).
import { defineType } from '../apiserver/registry/builtins.ts';
import { extendStrategy } from '../apiserver/registry/strategies/default.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { GROUP, VERSION } from '../platform/index.ts';
import { z } from 'zod';
import { kindSchema } from '../apiserver/schema/index.ts';
import { identityProviderSpecSchema, specCauses, type IdentityProviderSpec } from './schema.ts';

export { GROUP, VERSION, API_VERSION } from '../platform/index.ts';

/** On session access keys and other credentials minted from an IdentitySession (the source they die with). */
export const SESSION_SOURCE_ANNOTATION = 'identity.portcullis.io/session';

export interface Condition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastTransitionTime: string }
export interface IdentityProviderStatus {
  conditions?: Condition[];
  /** Endpoints found by discovery (what `portcullis idp show` prints). */
  discovered?: { authorizationEndpoint?: string; tokenEndpoint?: string; deviceAuthorizationEndpoint?: string; jwksURI?: string; userinfoEndpoint?: string };
  observedGeneration?: number;
}

export type SessionVia = 'browser' | 'cli' | 'device' | 'id-token';
export interface IdentitySessionSpec {
  provider: string;
  /** uid of the IdentityProvider: a deleted and re-created IdP does not inherit sessions. */
  providerUID: string;
  user: string;
  issuer: string;
  subject: string;
  via: SessionVia;
}
export interface IdentitySessionStatus {
  state: 'Active' | 'Revoked';
  reason?: string;
  /** Sealed (AES-GCM with the store key) refresh token of the IdP; never in clear. */
  refreshToken?: string;
  /** Last time the IdP confirmed the user and its groups. */
  confirmedAt: string;
  /** The mapped groups the IdP confirmed then. */
  groups: string[];
  lastAttemptAt?: string;
  lastError?: string;
  /** A replica redeeming the refresh token holds this until `until` (no two redemptions of one rotating token). */
  refreshing?: { holder: string; until: string };
  /** A CLI loopback login waiting for the CLI to exchange its one-time code (PKCE-bound). */
  cliCode?: { challenge: string; expiresAt: string; used?: boolean };
}

const col = (name: string, jsonPath: string, type = 'string', priority = 0) => ({ name, type, jsonPath, priority });

export const identityProviderType = defineType(GROUP, VERSION, 'identityproviders', 'IdentityProvider', {
  cluster: true, status: true, shortNames: ['idp'], onlyInClusters: [ROOT_CLUSTER],
  strategy: extendStrategy({
    validate: (obj) => specCauses(obj.spec),
    validateUpdate: (obj, old) => {
      const causes = specCauses(obj.spec);
      const a = (obj.spec ?? {}) as IdentityProviderSpec;
      const b = (old.spec ?? {}) as IdentityProviderSpec;
      // An IdP's identity space is fixed once users are linked to it: change these by creating another IdP.
      if (a.project !== b.project) causes.push({ field: 'spec.project', message: 'field is immutable' });
      for (const f of ['issuer', 'usernamePrefix', 'usernameClaim'] as const) {
        if (a.oidc?.[f] !== b.oidc?.[f]) causes.push({ field: `spec.oidc.${f}`, message: 'field is immutable' });
      }
      return causes;
    },
  }),
});
identityProviderType.schema = kindSchema({
  description: 'An OpenID Connect identity provider: users log in through it (browser, CLI, device code) and kubectl '
    + 'may present its ID tokens. Global, or of one project (spec.project) with its own login URL /login/<project>.',
  spec: identityProviderSpecSchema,
  status: z.object({
    conditions: z.array(z.object({}).passthrough()).describe('Ready: whether discovery and the signing keys work (and why not).').optional(),
    discovered: z.object({}).passthrough().describe('Endpoints found by discovery.').optional(),
    observedGeneration: z.number().int().optional(),
  }),
});
identityProviderType.printerColumns = [col('Issuer', '.spec.oidc.issuer'), col('Project', '.spec.project'),
  col('Ready', '.status.conditions[?(@.type=="Ready")].status'), col('Reason', '.status.conditions[?(@.type=="Ready")].reason', 'string', 1),
  col('Age', '.metadata.creationTimestamp', 'date')];

/** Sessions are written by the server only; admins may read them (the refresh token is shown sealed) and delete them. */
export const identitySessionType = defineType(GROUP, VERSION, 'identitysessions', 'IdentitySession', {
  cluster: true, onlyInClusters: [ROOT_CLUSTER], verbs: ['get', 'list', 'watch', 'delete', 'deletecollection'],
  strategy: extendStrategy({
    present: (obj) => {
      const st = obj.status as IdentitySessionStatus | undefined;
      if (!st?.refreshToken && !st?.cliCode) return obj as KObject;
      const { refreshToken, cliCode, ...rest } = st;
      return { ...obj, status: { ...rest, ...(refreshToken ? { refreshToken: '<sealed>' } : {}) } } as KObject;
    },
  }),
});
identitySessionType.schema = kindSchema({
  description: 'One login through an identity provider (written by the server): its sealed refresh token and when '
    + 'the IdP last confirmed the user and its groups. Deleting it ends the login and what was minted from it.',
  spec: z.object({
    provider: z.string().describe('The IdentityProvider.'), providerUID: z.string().describe('Its uid.'),
    user: z.string().describe('The User.'), issuer: z.string().describe('Issuer of the IdP.'),
    subject: z.string().describe('The user\'s subject at the IdP.'), via: z.string().describe('browser, cli, device or id-token.'),
  }),
});
identitySessionType.printerColumns = [col('User', '.spec.user'), col('Provider', '.spec.provider'), col('Via', '.spec.via'),
  col('State', '.status.state'), col('Confirmed', '.status.confirmedAt'), col('Age', '.metadata.creationTimestamp', 'date')];

export const identityTypes = [identityProviderType, identitySessionType];

export const sessionSpec = (o: KObject): IdentitySessionSpec => o.spec as unknown as IdentitySessionSpec;
export const sessionStatus = (o: KObject): IdentitySessionStatus => (o.status ?? { state: 'Active', confirmedAt: '', groups: [] }) as IdentitySessionStatus;
