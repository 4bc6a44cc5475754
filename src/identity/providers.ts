// The configured identity providers at run time, on every replica: settings from IdentityProvider objects, the client
// secret from its Secret, discovery (openid-client), the IdP's JWKS (jose, cached, re-fetched on an unknown key) and
// readiness. Failures are retried and shown in status.conditions (written by the leader); the server keeps serving.
import * as client from 'openid-client';
import { createRemoteJWKSet, customFetch as joseFetch, type JWTVerifyGetKey } from 'jose';
import type { Store } from '../apiserver/registry/store.ts';
import type { Catalog } from '../apiserver/registry/catalog.ts';
import type { Informer } from '../apiserver/controllers/informer.ts';
import type { Leadership } from '../apiserver/controllers/leadership.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { ignoreNotFound, isNotFound, notFoundMessage } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { nowTimestamp } from '../apiserver/registry/object-meta.ts';
import { createIdpFetch, describeError, type IdpFetch } from './idp-fetch.ts';
import { settingsOf, type IdentityProviderSpec, type ProviderSettings } from './schema.ts';
import { identityProviderType, type Condition, type IdentityProviderStatus } from './types.ts';

export interface ProviderRuntime {
  readonly settings: ProviderSettings;
  readonly fetch: IdpFetch;
  /** Set once discovery succeeded: the relying-party configuration (holds the client secret, in memory only). */
  config?: client.Configuration;
  jwks?: JWTVerifyGetKey;
  ready: boolean;
  reason: string;
  message: string;
}

export interface ProviderRegistryDeps {
  store: Store;
  catalog: Catalog;
  leadership: Leadership;
  log: (m: string) => void;
  /** Retry a failed discovery after this long (default 30 s). */
  retryMs?: number;
  /** Minimum time between two JWKS fetches caused by unknown keys (default 30 s). */
  jwksCooldownMs?: number;
  /** Plain-http issuers (tests with a loopback provider only). */
  allowHttp?: boolean;
}

export class ProviderRegistry {
  private readonly byName = new Map<string, ProviderRuntime>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  /** Bumped whenever a provider changes: caches of verified tokens key on it. */
  generation = 0;
  private stopped = false;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly d: ProviderRegistryDeps) {}

  register(informer: Informer): void {
    informer.on(identityProviderType.group, identityProviderType.resource, (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      if (ev.type === 'DELETED') { this.remove(ev.name); return; }
      this.upsert(ev.object);
    });
    // A changed client secret is picked up at once.
    informer.on('', 'secrets', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      for (const p of this.byName.values()) {
        const ref = p.settings.clientSecretRef;
        if (ref && ref.namespace === ev.namespace && ref.name === ev.name) this.schedule(p.settings.name, 0);
      }
    });
  }

  get(name: string): ProviderRuntime | undefined { return this.byName.get(name); }

  /** Adds a listener told synchronously when a provider is added, removed or its settings change (any replica). */
  onChange(listener: () => void): void { this.listeners.push(listener); }
  all(): ProviderRuntime[] { return [...this.byName.values()].sort((a, b) => a.settings.name.localeCompare(b.settings.name)); }
  forIssuer(iss: string): ProviderRuntime[] { return this.all().filter((p) => p.settings.issuer === iss); }

  /** Resolves when no discovery is running (tests). */
  async idle(): Promise<void> { while (this.running.size) await Promise.allSettled([...this.running.values()]); }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private upsert(o: KObject): void {
    const name = o.metadata.name!;
    let settings: ProviderSettings;
    try { settings = settingsOf(name, o.metadata.uid ?? '', o.spec as IdentityProviderSpec); } catch (e) {
      this.d.log(`identity provider ${name}: unusable spec: ${(e as Error).message}`);
      return;
    }
    const prev = this.byName.get(name);
    if (prev && JSON.stringify(prev.settings) === JSON.stringify(settings)) {
      // status-only change: rewrite it if this replica knows better (e.g. a new leader)
      if (prev.ready || prev.reason !== 'Pending') void this.writeStatus(name, o);
      return;
    }
    const rt: ProviderRuntime = {
      settings, ready: false, reason: 'Pending', message: 'discovery has not run yet',
      fetch: createIdpFetch({ caPem: settings.caPem, allowHttp: this.d.allowHttp }),
    };
    this.byName.set(name, rt);
    this.generation++;
    for (const l of this.listeners) l();
    this.schedule(name, 0);
  }

  private remove(name: string): void {
    this.byName.delete(name);
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    this.generation++;
    for (const l of this.listeners) l();
  }

  /** Runs discovery for `name` now (e.g. `portcullis idp test`); resolves with the runtime afterwards. */
  async discoverNow(name: string): Promise<ProviderRuntime | undefined> {
    await this.running.get(name);
    if (!this.byName.has(name)) return undefined;
    await this.track(name);
    return this.byName.get(name);
  }

  private schedule(name: string, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(name));
    const t = setTimeout(() => { this.timers.delete(name); void this.track(name); }, delayMs);
    t.unref();
    this.timers.set(name, t);
  }

  private track(name: string): Promise<void> {
    const p = this.discover(name).finally(() => { if (this.running.get(name) === p) this.running.delete(name); });
    this.running.set(name, p);
    return p;
  }

  private async discover(name: string): Promise<void> {
    const rt = this.byName.get(name);
    if (!rt) return;
    const s = rt.settings;
    try {
      const secret = s.clientSecretRef ? await this.clientSecret(s) : undefined;
      const auth = secret === undefined ? client.None() : client.ClientSecretBasic(secret);
      const options: client.DiscoveryRequestOptions = { [client.customFetch]: rt.fetch as client.CustomFetch, timeout: 10 };
      if (this.d.allowHttp) options.execute = [client.allowInsecureRequests];
      let config = await client.discovery(new URL(s.discoveryURL ?? s.issuer), s.clientID,
        secret === undefined ? undefined : { client_secret: secret }, auth, options);
      const meta = config.serverMetadata();
      if (meta.issuer !== s.issuer) throw new Problem('IssuerMismatch',
        `the discovery document names issuer ${JSON.stringify(meta.issuer)}, not ${JSON.stringify(s.issuer)}`);
      if (!meta.jwks_uri) throw new Problem('DiscoveryFailed', 'the discovery document has no jwks_uri');
      const methods = meta.token_endpoint_auth_methods_supported;
      if (secret !== undefined && methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
        config = new client.Configuration(meta, s.clientID, { client_secret: secret }, client.ClientSecretPost(secret));
      }
      config[client.customFetch] = rt.fetch as client.CustomFetch;
      if (this.d.allowHttp) client.allowInsecureRequests(config);
      const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
        [joseFetch]: rt.fetch as never, cooldownDuration: this.d.jwksCooldownMs ?? 30_000, cacheMaxAge: 600_000, timeoutDuration: 10_000,
      });
      try { await jwks.reload(); } catch (e) { throw new Problem('JWKSUnavailable',
        `cannot load the signing keys from ${meta.jwks_uri}: ${describeError(e)}`); }
      if (this.byName.get(name) !== rt) return; // replaced meanwhile
      Object.assign(rt, { config, jwks, ready: true, reason: 'Ready', message: `discovered ${s.issuer}` });
    } catch (e) {
      if (this.byName.get(name) !== rt) return;
      const reason = e instanceof Problem ? e.reason : 'DiscoveryFailed';
      Object.assign(rt, { ready: false, reason, message: e instanceof Problem ? e.message : describeError(e) });
      this.d.log(`identity provider ${name}: ${reason}: ${rt.message}`);
      this.schedule(name, this.d.retryMs ?? 30_000);
    }
    this.generation++;
    await this.writeStatus(name).catch((e: Error) => this.d.log(`identity provider ${name}: status not written: ${e.message}`));
  }

  private async clientSecret(s: ProviderSettings): Promise<string> {
    const ref = s.clientSecretRef!;
    const t = this.d.catalog.lookup(ROOT_CLUSTER, '', 'v1', 'secrets')!;
    let obj: KObject;
    try { obj = await this.d.store.get(ROOT_CLUSTER, t, ref.namespace, ref.name); } catch (e) {
      if (isNotFound(e)) throw new Problem('SecretNotFound', `client secret ${ref.namespace}/${ref.name} does not exist in root`);
      throw e;
    }
    const data = (obj.data ?? {}) as Record<string, string>;
    const string = (obj as { stringData?: Record<string, string> }).stringData ?? {};
    const v = data[ref.key] !== undefined ? Buffer.from(data[ref.key], 'base64').toString('utf8') : string[ref.key];
    if (!v) throw new Problem('SecretNotFound', `client secret ${ref.namespace}/${ref.name} has no key "${ref.key}"`);
    return v;
  }

  private async writeStatus(name: string, current?: KObject): Promise<void> {
    const rt = this.byName.get(name);
    if (!rt || !this.d.leadership.isLeader() || this.stopped) return;
    const meta = rt.ready ? rt.config?.serverMetadata() : undefined;
    const want = (cur: KObject): IdentityProviderStatus => {
      const prev = ((cur.status ?? {}) as IdentityProviderStatus).conditions?.find((c) => c.type === 'Ready');
      const status = rt.ready ? 'True' : 'False';
      const cond: Condition = {
        type: 'Ready', status, reason: rt.reason, message: rt.message,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : nowTimestamp(),
      };
      return {
        conditions: [cond], observedGeneration: cur.metadata.generation,
        discovered: meta ? {
          authorizationEndpoint: meta.authorization_endpoint, tokenEndpoint: meta.token_endpoint,
          deviceAuthorizationEndpoint: meta.device_authorization_endpoint, jwksURI: meta.jwks_uri, userinfoEndpoint: meta.userinfo_endpoint,
        } : undefined,
      };
    };
    if (current && JSON.stringify(current.status ?? {}) === JSON.stringify(want(current))) return;
    await this.d.store.update({ cluster: ROOT_CLUSTER, subresource: 'status' }, identityProviderType, '', name, (cur) => {
      if (!cur) throw notFoundMessage('gone');
      cur.status = want(cur);
      return cur;
    }).catch(ignoreNotFound);
  }
}

class Problem extends Error {
  constructor(readonly reason: string, message: string) { super(message); }
}
