// `portcullis tenant-clusters`: list the tenant clusters I can reach (with my role in each) and change a
// tenant cluster's permissions (access rules) through the server's /platform/v1 routes.
import { Command, Option } from 'commander';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from './client.ts';

interface Reachable { name: string; project: string; phase?: string; apiURL?: string; roles: string[]; reasons: string[] }

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n');
}

async function run(action: () => Promise<void>): Promise<void> {
  try { await action(); } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

export function tenantClustersCommand(): Command {
  const cmd = new Command('tenant-clusters').alias('tc').description('Tenant clusters you can reach, and their permissions');

  cmd.addCommand(withConnectionOptions(new Command('list'))
    .description('List the tenant clusters you can reach, with your ClusterRoles in each and why you have access')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((opts: ConnectionFlags & { output: string }) => run(async () => {
      const res = await clientFrom(opts).request<{ items: Reachable[] }>('GET', '/platform/v1/tenantclusters');
      if (opts.output === 'json') { console.log(JSON.stringify(res.items, null, 2)); return; }
      if (res.items.length === 0) { console.log('No tenant clusters you can reach.'); return; }
      console.log(table([['NAME', 'PROJECT', 'PHASE', 'ROLES', 'ACCESS', 'URL'],
        ...res.items.map((t) => [t.name, t.project, t.phase ?? '', t.roles.join(',') || '-', t.reasons.join(','), t.apiURL ?? ''])]));
    })));

  const permissions = new Command('permissions').description('Change who may use a tenant cluster and with which ClusterRole (access rules)');
  for (const action of ['add', 'remove'] as const) {
    permissions.addCommand(withConnectionOptions(new Command(action))
      .argument('<name>', 'tenant cluster')
      .option('--user <user>', 'platform user')
      .option('--team <team>', 'platform team')
      .option('--role <clusterRole>', action === 'add' ? 'ClusterRole inside the tenant (e.g. view, edit, admin, cluster-admin)' : 'only remove from the rule with this ClusterRole')
      .description(action === 'add' ? 'Give a user or team a ClusterRole inside the tenant cluster (and management access)' : 'Take a user or team out of the access rules')
      .action((name: string, opts: ConnectionFlags & { user?: string; team?: string; role?: string }) => run(async () => {
        if ((opts.user === undefined) === (opts.team === undefined)) throw new Error('pass exactly one of --user or --team');
        if (action === 'add' && !opts.role) throw new Error('--role is required');
        const res = await clientFrom(opts).request<{ access: { rules?: Array<{ users?: string[]; teams?: string[]; clusterRole: string }> } }>(
          'POST', `/platform/v1/tenantclusters/${encodeURIComponent(name)}/permissions`, { action, user: opts.user, team: opts.team, role: opts.role });
        const who = opts.user ? `user ${opts.user}` : `team ${opts.team}`;
        console.log(action === 'add' ? `${who} now has ClusterRole ${opts.role} in tenant cluster ${name}` : `${who} removed from tenant cluster ${name}${opts.role ? ` (role ${opts.role})` : ''}`);
        for (const r of res.access.rules ?? []) console.log(`  ${r.clusterRole}: ${[...(r.users ?? []).map((u) => `user ${u}`), ...(r.teams ?? []).map((t) => `team ${t}`)].join(', ')}`);
      })));
  }
  cmd.addCommand(permissions);
  return cmd;
}
