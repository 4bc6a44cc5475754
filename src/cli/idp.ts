// `portcullis idp list|show|test NAME`: the configured identity providers, one in detail (mapping, readiness,
// discovered endpoints; never the client secret), and a live test: discovery now, and with --id-token what a login
// with that token would map to (or why it would be refused).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from './client.ts';
import { readAllStdin, run, table } from './credentials-support.ts';

interface Idp {
  metadata: { name: string; creationTimestamp?: string };
  spec: { project?: string; displayName?: string; oidc: Record<string, unknown> & { issuer: string; clientID: string } };
  status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }>; discovered?: Record<string, string | undefined> };
}
const PATH = '/apis/management.portcullis.io/v1/identityproviders';
const ready = (i: Idp) => i.status?.conditions?.find((c) => c.type === 'Ready');

export function idpCommand(): Command {
  const cmd = new Command('idp').description('Identity providers: list, show, test');
  cmd.addCommand(withConnectionOptions(new Command('list'))
    .description('List identity providers (global ones and those of a project)')
    .addOption(new Option('-o, --output <format>', 'output').choices(['table', 'json']).default('table'))
    .action((opts: ConnectionFlags & { output: string }) => run(async () => {
      const res = await clientFrom(opts).request<{ items: Idp[] }>('GET', PATH);
      if (opts.output === 'json') { console.log(JSON.stringify(res.items, null, 2)); return; }
      if (!res.items.length) { console.log('No identity providers.'); return; }
      console.log(table([['NAME', 'PROJECT', 'ISSUER', 'CLIENT ID', 'READY', 'REASON'],
        ...res.items.map((i) => [i.metadata.name, i.spec.project ?? '(global)', i.spec.oidc.issuer, i.spec.oidc.clientID,
          ready(i)?.status ?? 'Unknown', ready(i)?.reason ?? ''])]));
    })));
  cmd.addCommand(withConnectionOptions(new Command('show'))
    .description('Show one identity provider: mapping, readiness and discovered endpoints')
    .argument('<name>')
    .action((name: string, opts: ConnectionFlags) => run(async () => {
      const i = await clientFrom(opts).request<Idp>('GET', `${PATH}/${encodeURIComponent(name)}`);
      const o = i.spec.oidc;
      const r = ready(i);
      const rows: string[][] = [
        ['Name:', i.metadata.name], ['Display name:', i.spec.displayName ?? i.metadata.name], ['Project:', i.spec.project ?? '(global: every login URL)'],
        ['Issuer:', o.issuer], ['Client ID:', o.clientID],
        ['Client secret:', o.clientSecretRef ? `from Secret ${JSON.stringify(o.clientSecretRef)}` : '(none: public client)'],
        ['Scopes:', ((o.scopes as string[] | undefined) ?? ['openid', 'email', 'profile', 'offline_access']).join(' ')],
        ['Username:', `${(o.usernamePrefix as string | undefined) ?? ''}<claim ${(o.usernameClaim as string | undefined) ?? 'sub'}>`],
        ['Groups:', o.groupsClaim ? `${(o.groupsPrefix as string | undefined) ?? ''}<claim ${o.groupsClaim as string}>` : '(none)'],
        ['Required groups:', ((o.requiredGroups as string[] | undefined) ?? []).join(', ') || '(none)'],
        ['Group refresh:',
          `every ${(o.groupRefreshInterval as string | undefined) ?? '5m'}, fail closed after ${(o.maxGroupStaleness as string | undefined) ?? '1h'}`],
        ['Ready:', r ? `${r.status} (${r.reason}) ${r.message}` : 'Unknown'],
      ];
      for (const [k, v] of Object.entries(i.status?.discovered ?? {})) if (v) rows.push([`  ${k}:`, v]);
      console.log(table(rows));
    })));
  cmd.addCommand(withConnectionOptions(new Command('test'))
    .description('Run discovery now and print what a login would map (give an ID token to map it)')
    .argument('<name>')
    .option('--id-token <file>', 'an ID token of this IdP ("-" reads stdin): prints the username and groups it maps to, or why it is refused')
    .addOption(new Option('-o, --output <format>', 'output').choices(['text', 'json']).default('text'))
    .action((name: string, opts: ConnectionFlags & { idToken?: string; output: string }) => run(async () => {
      const idToken = opts.idToken === undefined ? undefined : (opts.idToken === '-' ? await readAllStdin() : readFileSync(opts.idToken, 'utf8')).trim();
      const res = await clientFrom(opts).request<{ status: Record<string,
        unknown> & { ready: boolean; reason: string; message: string; login?: Record<string, unknown> } }>(
        'POST', `/platform/v1/idp/test/${encodeURIComponent(name)}`, idToken ? { idToken } : {});
      const s = res.status;
      if (opts.output === 'json') { console.log(JSON.stringify(s, null, 2)); return; }
      console.log(`Discovery: ${s.ready ? 'OK' : `FAILED (${s.reason})`}: ${s.message}`);
      for (const [k, v] of Object.entries((s.endpoints ?? {}) as Record<string, string | undefined>)) if (v) console.log(`  ${k}: ${v}`);
      console.log(`Mapping: ${JSON.stringify(s.mapping)}`);
      if (s.login) {
        const l = s.login as { allowed: boolean; username?: string; groups?: string[]; message?: string; code?: number };
        console.log(l.allowed
          ? `Login would map to user ${l.username} with groups ${(l.groups ?? []).join(', ') || '(none)'}`
          : `Login would be refused (${l.code}): ${l.message}`);
      }
      if (!s.ready) process.exitCode = 1;
    })));
  return cmd;
}
