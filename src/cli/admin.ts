// `portcullis admin rotate-credentials`: asks the running server (with the admin kubeconfig's certificate) for a new
// admin certificate; the server revokes the old one on every replica and rewrites its admin kubeconfig; this command
// writes the new kubeconfig over the one it used (0600).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { ApiClient } from './client.ts';
import { run } from './credentials-support.ts';
import { writePrivateFile } from '../pki/kubeconfig.ts';

interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string } }>;
  users?: Array<{ name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }>;
}

const b64 = (v: string | undefined): string | undefined => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);

export function adminCommand(): Command {
  const cmd = new Command('admin').description('Server administration with the bootstrap admin credentials');
  cmd.addCommand(new Command('rotate-credentials')
    .description('Issue a new admin certificate, revoke the old one and rewrite the admin kubeconfig')
    .option('--kubeconfig <file>', 'the admin kubeconfig to use and rewrite', process.env.KUBECONFIG || path.join('data', 'admin.kubeconfig'))
    .action((opts: { kubeconfig: string }) => run(async () => {
      const doc = parse(readFileSync(opts.kubeconfig, 'utf8')) as KubeconfigDoc;
      const ctx = doc.contexts?.find((c) => c.name === doc['current-context']) ?? doc.contexts?.[0];
      const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster);
      const user = doc.users?.find((u) => u.name === ctx?.context.user);
      if (!cluster || !user?.user['client-certificate-data']) throw new Error(`${opts.kubeconfig} holds no client certificate (is it the admin kubeconfig?)`);
      const server = new URL(cluster.cluster.server).origin;
      const client = new ApiClient({ server, ca: b64(cluster.cluster['certificate-authority-data']), cert: b64(user.user['client-certificate-data']),
        key: b64(user.user['client-key-data']) });
      const res = await client.request<{ status: { kubeconfig: string; serial: string; notAfter: string; revoked?: string; path: string } }>(
        'POST', '/platform/v1/admin/rotate-credentials');
      writePrivateFile(opts.kubeconfig, res.status.kubeconfig);
      console.log(`new admin certificate ${res.status.serial}, valid until ${res.status.notAfter}; written to ${opts.kubeconfig}`);
      if (res.status.revoked) console.log(`revoked the previous admin certificate ${res.status.revoked}`);
    })));
  return cmd;
}
