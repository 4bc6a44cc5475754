// `portcullis kubeconfig`: a kubeconfig for one tenant cluster (a static 24 h token with --token, else the exec
// plugin) or for every cluster you can reach (--all), with a distinct cluster, user and context per cluster.
import { Command } from 'commander';
import { stringify } from 'yaml';
import { clientFrom, readConfig, resolveConnection, ApiError, type ConnectionFlags } from './client.ts';
import { portcullisBin, run } from './credentials-support.ts';

interface Entry { cluster: string; user: Record<string, unknown> }

/** The exec-plugin user for `cluster` (kubectl runs `node bin/portcullis.mjs credential-plugin --cluster X`). */
export function execUser(cluster: string): Record<string, unknown> {
  const exec: Record<string, unknown> = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: [portcullisBin(), 'credential-plugin', '--cluster', cluster],
    interactiveMode: 'IfAvailable',
    provideClusterInfo: true,
  };
  if (process.env.PORTCULLIS_CONFIG) exec.env = [{ name: 'PORTCULLIS_CONFIG', value: process.env.PORTCULLIS_CONFIG }];
  return { exec };
}

export function buildUserKubeconfig(server: string, caPem: string | undefined, entries: Entry[], current?: string): string {
  const ca = caPem ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {};
  const name = (c: string) => `portcullis-${c}`;
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: entries.map((e) => ({ name: name(e.cluster), cluster: { server: `${server}/clusters/${e.cluster}`, ...ca } })),
    users: entries.map((e) => ({ name: name(e.cluster), user: e.user })),
    contexts: entries.map((e) => ({ name: e.cluster, context: { cluster: name(e.cluster), user: name(e.cluster) } })),
    'current-context': current ?? entries[0]?.cluster ?? '',
  });
}

export function kubeconfigCommand(): Command {
  // the connection flags without --token (here --token asks for a static token)
  return new Command('kubeconfig')
    .option('--server <url>', 'Portcullis server URL (default: from the login config)')
    .option('--ca-file <file>', 'CA certificate (PEM) to verify the server')
    .description('Print a kubeconfig for a tenant cluster (--cluster) or for every cluster you can reach (--all)')
    .option('--cluster <name>', 'one cluster')
    .option('--all', 'a context per reachable tenant cluster, each with its own exec-plugin user')
    .option('--token', 'with --cluster: embed a static token (24 h or the project maximum) instead of the exec plugin')
    .action((flags: Omit<ConnectionFlags, 'token'> & { cluster?: string; all?: boolean; token?: boolean }) => run(async () => {
      const { token: _static, ...rest } = flags;
      const opts = { ...rest, token: undefined, static: flags.token };
      if (!!opts.cluster === !!opts.all) throw new Error('pass exactly one of --cluster <name> or --all');
      if (opts.static && !opts.cluster) throw new Error('--token needs --cluster (a token is bound to one cluster)');
      const conn = resolveConnection(opts);
      const c = clientFrom(opts);
      if (opts.cluster) {
        let user: Record<string, unknown>;
        if (opts.static) {
          const t = await c.request<{ status: { token: string; expirationTimestamp: string } }>('POST', '/platform/v1/tokens', { cluster: opts.cluster });
          user = { token: t.status.token };
          process.stderr.write(`token for cluster ${opts.cluster} expires at ${t.status.expirationTimestamp}\n`);
        } else {
          if (!readConfig()) throw new Error('the exec plugin uses your login: run `portcullis login` first (or use --token)');
          user = execUser(opts.cluster);
        }
        process.stdout.write(buildUserKubeconfig(conn.server, conn.ca, [{ cluster: opts.cluster, user }]));
        return;
      }
      if (!readConfig()) throw new Error('the exec plugin uses your login: run `portcullis login` first');
      let names: string[];
      try {
        names = (await c.request<{ items: Array<{ name: string }> }>('GET', '/platform/v1/tenantclusters')).items.map((t) => t.name);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
        names = (await c.request<{ items: Array<{ metadata: { name: string } }> }>('GET', '/apis/management.portcullis.io/v1/tenantclusters')).items.map((t) => t.metadata.name);
      }
      if (!names.length) throw new Error('you cannot reach any tenant cluster');
      process.stdout.write(buildUserKubeconfig(conn.server, conn.ca, names.map((n) => ({ cluster: n, user: execUser(n) }))));
    }));
}
