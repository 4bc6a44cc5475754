// `portcullis access-keys create|list|delete|rotate`: scoped access keys (the secret is printed once), with a
// --dry-run that shows what the key could do per logical cluster before any secret exists.
import { Command, Option } from 'commander';
import { clientFrom, withConnectionOptions, type ConnectionFlags, type ApiClient } from './client.ts';
import { run, scopeText, table, type Scope } from './credentials-support.ts';

export interface Item { id: string; name: string; user: string; scope?: Scope; created?: string; expires?: string; lastUsed?: string }

/** --scope project=P | cluster=C | namespace=C/NS | host=H → a Scope. */
export function parseScopes(values: string[]): Scope | undefined {
  const s: Scope = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const kind = v.slice(0, eq);
    const value = v.slice(eq + 1);
    if (eq < 0 || !value) throw new Error(`invalid --scope "${v}": expected project=P, cluster=C, namespace=C/NS or host=H`);
    if (kind === 'project') (s.projects ??= []).push(value);
    else if (kind === 'cluster' || kind === 'tenantcluster') (s.tenantClusters ??= []).push(value);
    else if (kind === 'host') (s.hostClusters ??= []).push(value);
    else if (kind === 'namespace') {
      const [cluster, namespace, extra] = value.split('/');
      if (!cluster || !namespace || extra !== undefined) throw new Error(`invalid --scope "${v}": a namespace scope is namespace=<cluster>/<namespace>`);
      (s.namespaces ??= []).push({ cluster, namespace });
    } else throw new Error(`invalid --scope "${v}": unknown kind "${kind}" (project, cluster, namespace, host)`);
  }
  return Object.keys(s).length ? s : undefined;
}


async function resolveName(c: ApiClient, nameOrLabel: string, user?: string): Promise<string> {
  const res = await c.request<{ items: Item[] }>('GET', `/platform/v1/accesskeys${user ? `?user=${encodeURIComponent(user)}` : ''}`);
  const hit = res.items.find((i) => i.id === `accesskey:${nameOrLabel}`) ?? res.items.find((i) => i.name === nameOrLabel);
  if (!hit) throw new Error(`no access key "${nameOrLabel}"`);
  return hit.id.slice('accesskey:'.length);
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'key';

interface DryRun { user: string; clusters: Array<{ cluster: string; project?: string; access: string; namespaces?: string[]; rules?: Array<{ verbs: string[]; resources?: string[]; apiGroups?: string[]; nonResourceURLs?: string[]; namespace?: string }> }> }

function printDryRun(d: DryRun): void {
  console.log(`Dry run: what a key of user ${d.user} with this scope could do (no key was created)`);
  const rows = [['CLUSTER', 'PROJECT', 'ACCESS', 'PERMISSIONS']];
  for (const c of d.clusters) {
    const where = c.access === 'namespaces' ? `namespaces ${c.namespaces!.join(',')}` : c.access === 'all' ? 'whole cluster' : 'none (outside scope)';
    const rules = (c.rules ?? []).filter((r) => r.resources?.length)
      .map((r) => `${r.namespace ? `[${r.namespace}] ` : ''}${r.verbs.join(',')} ${r.resources!.map((x) => (r.apiGroups?.[0] ? `${x}.${r.apiGroups[0]}` : x)).join(',')}`);
    const perms = c.access === 'none' ? '-' : rules.length ? rules.slice(0, 6).join('; ') + (rules.length > 6 ? `; … (${rules.length - 6} more)` : '') : 'no RBAC permissions';
    rows.push([c.cluster, c.project ?? '', where, perms]);
  }
  console.log(table(rows));
}

export function accessKeysCommand(): Command {
  const cmd = new Command('access-keys').alias('ak').description('Access keys: long-lived, optionally scoped credentials that act as their owner');

  cmd.addCommand(withConnectionOptions(new Command('create'))
    .description('Create an access key (the secret is printed once and stored only as a hash)')
    .requiredOption('--name <name>', 'display name, e.g. ci-deploy')
    .option('--scope <kind=value>', 'limit the key: project=P, cluster=C, namespace=C/NS, host=H (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--ttl <duration>', 'lifetime, e.g. 720h')
    .option('--idle-timeout <duration>', 'reject the key after this long without use, e.g. 24h')
    .option('--user <user>', 'owner (default: you; others need impersonate on users/<user> in root)')
    .option('--dry-run', 'show what the key could do per cluster, without creating it')
    .addOption(new Option('-o, --output <format>', 'output').choices(['text', 'json']).default('text'))
    .action((opts: ConnectionFlags & { name: string; scope: string[]; ttl?: string; idleTimeout?: string; user?: string; dryRun?: boolean; output: string }) => run(async () => {
      const scope = parseScopes(opts.scope);
      const c = clientFrom(opts);
      if (opts.dryRun) {
        const d = await c.request<DryRun>('POST', '/platform/v1/accesskeys/dry-run', { user: opts.user, scope });
        if (opts.output === 'json') console.log(JSON.stringify(d, null, 2)); else printDryRun(d);
        return;
      }
      const created = await c.request<{ metadata: { name: string }; spec: { user: string; expirationTimestamp?: string }; status: { key: string } }>(
        'POST', '/apis/management.portcullis.io/v1/accesskeys', {
          apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: `${slug(opts.name)}-` },
          spec: { displayName: opts.name, user: opts.user, scope, ttl: opts.ttl, idleTimeout: opts.idleTimeout },
        });
      if (opts.output === 'json') { console.log(JSON.stringify({ name: created.metadata.name, user: created.spec.user, key: created.status.key, expirationTimestamp: created.spec.expirationTimestamp }, null, 2)); return; }
      console.log(`Access key "${opts.name}" (${created.metadata.name}) created for ${created.spec.user}${created.spec.expirationTimestamp ? `, expires ${created.spec.expirationTimestamp}` : ''}.`);
      console.log('Copy it now; it is not shown again:\n');
      console.log(created.status.key);
    })));

  cmd.addCommand(withConnectionOptions(new Command('list'))
    .description('List access keys (yours, or --user U)')
    .option('--user <user>', 'whose keys')
    .addOption(new Option('-o, --output <format>', 'output').choices(['table', 'json']).default('table'))
    .action((opts: ConnectionFlags & { user?: string; output: string }) => run(async () => {
      const res = await clientFrom(opts).request<{ items: Item[] }>('GET', `/platform/v1/accesskeys${opts.user ? `?user=${encodeURIComponent(opts.user)}` : ''}`);
      if (opts.output === 'json') { console.log(JSON.stringify(res.items, null, 2)); return; }
      if (!res.items.length) { console.log('No access keys.'); return; }
      console.log(table([['NAME', 'DISPLAY NAME', 'USER', 'SCOPE', 'EXPIRES', 'LAST USED'],
        ...res.items.map((i) => [i.id.slice('accesskey:'.length), i.name, i.user, scopeText(i.scope), i.expires ?? 'never', i.lastUsed ?? 'never'])]));
    })));

  cmd.addCommand(withConnectionOptions(new Command('delete'))
    .description('Delete an access key (rejected on its next use)')
    .argument('<name>', 'key name or display name')
    .option('--user <user>', 'owner of the key (when it is not yours)')
    .action((name: string, opts: ConnectionFlags & { user?: string }) => run(async () => {
      const c = clientFrom(opts);
      const id = await resolveName(c, name, opts.user);
      const res = await c.request<{ message: string }>('DELETE', `/platform/v1/accesskeys/${encodeURIComponent(id)}`);
      console.log(res.message);
    })));

  cmd.addCommand(withConnectionOptions(new Command('rotate'))
    .description('Issue a new secret for a key; the old one keeps working for --grace (default: stops at once)')
    .argument('<name>', 'key name or display name')
    .option('--grace <duration>', 'how long the old secret stays valid, e.g. 1h')
    .option('--user <user>', 'owner of the key (when it is not yours)')
    .action((name: string, opts: ConnectionFlags & { grace?: string; user?: string }) => run(async () => {
      const c = clientFrom(opts);
      const id = await resolveName(c, name, opts.user);
      const res = await c.request<{ status: { key: string } }>('POST', `/platform/v1/accesskeys/${encodeURIComponent(id)}/rotate`, { grace: opts.grace });
      console.log(`Access key ${id} rotated${opts.grace ? `; the old secret works for ${opts.grace} more` : '; the old secret no longer works'}. New secret (shown once):\n`);
      console.log(res.status.key);
    })));
  return cmd;
}
