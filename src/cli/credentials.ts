// `portcullis credentials list|revoke`: one inventory of a user's credentials (access keys, platform tokens,
// ServiceAccount tokens, certificate Kubeconfigs) with kind, scope, created, expires and last use; revoke any by id.
import { Command, Option } from 'commander';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from './client.ts';
import { run, scopeText, table } from './credentials-support.ts';
import type { Item } from './access-keys.ts';

const kindText = (i: Listed) => (i.revoked ? `${i.kind} (revoked)` : i.disabled ? `${i.kind} (disabled)` : i.kind);
type Listed = Item & { kind: string; cluster?: string; revoked?: boolean; disabled?: boolean; chain?: string[] };

export function credentialsCommand(): Command {
  const cmd = new Command('credentials').alias('creds').description('Every credential of a user (access keys, tokens, certificate kubeconfigs), and revocation');
  cmd.addCommand(withConnectionOptions(new Command('list'))
    .description('List credentials: kind, scope, created, expires, last used, and what each was minted from (its chain)')
    .option('--user <user>', 'whose credentials (default: yours)')
    .option('--all', 'every user (needs impersonate on users in root)')
    .addOption(new Option('-o, --output <format>', 'output').choices(['table', 'json']).default('table'))
    .action((opts: ConnectionFlags & { user?: string; all?: boolean; output: string }) => run(async () => {
      const q = opts.all ? '?all=true' : opts.user ? `?user=${encodeURIComponent(opts.user)}` : '';
      const res = await clientFrom(opts).request<{ items: Listed[] }>('GET', `/platform/v1/credentials${q}`);
      if (opts.output === 'json') { console.log(JSON.stringify(res.items, null, 2)); return; }
      if (!res.items.length) { console.log('No credentials.'); return; }
      console.log(table([['ID', 'KIND', 'NAME', 'USER', 'SCOPE', 'CREATED', 'EXPIRES', 'LAST USED', 'MINTED FROM'],
        ...res.items.map((i) => [i.id, kindText(i),
          i.name, i.user, i.cluster ? `cluster=${i.cluster}${i.scope ? `,${scopeText(i.scope)}` : ''}` : scopeText(i.scope),
          i.created ?? '', i.expires ?? 'never', i.lastUsed ?? (i.kind === 'AccessKey' ? 'never' : '-'),
          i.chain?.length ? i.chain.join(' < ') : '-'])]));
    })));
  cmd.addCommand(withConnectionOptions(new Command('revoke'))
    .description('Revoke a credential by id (from `credentials list`)')
    .argument('<id>', 'e.g. accesskey:ci-deploy-x7k2p, platformtoken:<jti>, sa-token:<jti>, kubeconfig:<ns>.<name>, x509:<serial>')
    .action((id: string, opts: ConnectionFlags) => run(async () => {
      const res = await clientFrom(opts).request<{ message: string }>('POST', `/platform/v1/credentials/${encodeURIComponent(id)}/revoke`);
      console.log(res.message);
    })));
  return cmd;
}
