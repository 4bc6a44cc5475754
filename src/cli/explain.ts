// `portcullis explain --user bob --cluster payments-dev -- get pods -n default`: asks the server's
// /platform/v1/explain and prints each layer's decision and reason (management access → role mapping →
// tenant RBAC → delegation → final).
import { Command, Option } from 'commander';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from './client.ts';

export interface ExplainWords { verb: string; resource?: string; group?: string; name?: string; namespace?: string; subresource?: string; path?: string }

/** Parses kubectl-like words: VERB (RESOURCE[.GROUP] [NAME] | RESOURCE/NAME | /PATH) [-n NS] [-A] [--subresource S]. */
export function parseWords(words: readonly string[]): ExplainWords {
  if (words.length === 0) throw new Error('give the request after "--", e.g. -- get pods -n default');
  const [verb, ...rest] = words;
  const out: ExplainWords = { verb };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    const value = (flag: string): string => {
      const eq = w.indexOf('=');
      if (eq > 0) return w.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (w === '-n' || w === '--namespace' || w.startsWith('--namespace=')) out.namespace = value('--namespace');
    else if (w === '-A' || w === '--all-namespaces') out.namespace = '';
    else if (w === '--subresource' || w.startsWith('--subresource=')) out.subresource = value('--subresource');
    else if (w.startsWith('-') && !w.startsWith('/')) throw new Error(`unknown flag ${w} (supported: -n/--namespace, -A, --subresource)`);
    else positional.push(w);
  }
  if (positional.length === 0) throw new Error('give a resource (e.g. pods, deployments.apps) or a non-resource path (e.g. /healthz)');
  if (positional.length > 2) throw new Error(`too many arguments: ${positional.join(' ')}`);
  let [what, name] = positional;
  if (what.startsWith('/')) {
    if (name !== undefined) throw new Error('a non-resource path takes no name');
    return { verb, path: what };
  }
  const slash = what.indexOf('/');
  if (slash > 0) {
    if (name !== undefined) throw new Error(`give the name once: ${what} ${name}`);
    name = what.slice(slash + 1);
    what = what.slice(0, slash);
  }
  const dot = what.indexOf('.');
  out.resource = dot > 0 ? what.slice(0, dot) : what;
  if (dot > 0) out.group = what.slice(dot + 1);
  if (name) out.name = name;
  return out;
}

interface Layer { layer: string; decision: string; reason: string; reached: boolean }
interface Result {
  request: { user: { username: string; groups: string[] }; cluster: string; verb: string; resource?: string; group?: string; subresource?: string; namespace?: string; name?: string; path?: string };
  layers: Layer[];
  decision: 'allow' | 'deny';
  decidedBy: string;
  reason: string;
}

const TITLES: Record<string, string> = {
  'impersonation': 'impersonation', 'management-access': 'management access', 'role-mapping': 'role mapping',
  'credential-scope': 'credential scope', 'system:masters': 'system:masters', 'tenant-rbac': 'tenant RBAC',
  'delegation': 'delegation',
};

export function renderExplanation(r: Result): string {
  const q = r.request;
  const target = q.path ? `${q.path}` : `${q.group ? `${q.resource}.${q.group}` : q.resource}${q.subresource ? `/${q.subresource}` : ''}${q.name ? ` "${q.name}"` : ''}${q.namespace ? ` in namespace "${q.namespace}"` : ''}`;
  const lines = [`Request: user "${q.user.username}" (groups: ${q.user.groups.join(', ')}) ${q.verb} ${target} in cluster "${q.cluster}"`];
  r.layers.forEach((l, i) => {
    const decision = l.decision === 'n/a' ? '-' : l.decision.toUpperCase();
    lines.push(`${i + 1}. ${(TITLES[l.layer] ?? l.layer).padEnd(18)} ${decision.padEnd(10)} ${l.reason}${l.reached ? '' : ' (not reached)'}`);
  });
  lines.push(`Result: ${r.decision === 'allow' ? 'ALLOWED' : 'DENIED'} by ${TITLES[r.decidedBy] ?? r.decidedBy}: ${r.reason}`);
  return lines.join('\n');
}

type ExplainFlags = ConnectionFlags & {
  user: string; cluster: string; asGroup?: string[]; output: string; impersonate?: string; impersonateGroup?: string[];
  credential?: string;
};

export function explainCommand(): Command {
  return withConnectionOptions(new Command('explain'))
    .description('Explain why a user can or cannot make a request into a cluster, layer by layer')
    .requiredOption('--user <name>', 'the user whose request to explain')
    .requiredOption('--cluster <name>', 'the logical (tenant) cluster')
    .option('--as-group <group...>', 'the user\'s groups (default: a platform user\'s groups and teams)')
    .option('--impersonate <user>', 'the request impersonates this user (Impersonate-User)')
    .option('--impersonate-group <group...>', 'and these groups (Impersonate-Group)')
    .option('--credential <id>', 'the request uses this credential, whose scope applies (accesskey:<name>)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .argument('<request...>', 'after "--": VERB RESOURCE[.GROUP] [NAME] [-n NAMESPACE] [--subresource S], or VERB /PATH')
    .action(async (words: string[], opts: ExplainFlags) => {
      try {
        const req = parseWords(words);
        const impersonate = opts.impersonate ? { user: opts.impersonate, groups: opts.impersonateGroup } : undefined;
        const res = await clientFrom(opts).request<Result>('POST', '/platform/v1/explain', {
          user: opts.user, groups: opts.asGroup, cluster: opts.cluster, ...req,
          impersonate, credential: opts.credential,
        });
        console.log(opts.output === 'json' ? JSON.stringify(res, null, 2) : renderExplanation(res));
      } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
}
