// `portcullis migrate --from sqlite:./data --to postgres://...`: moves an embedded installation to PostgreSQL.
import { Command } from 'commander';
import { createProgress } from './progress.ts';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Copy an embedded SQLite installation (objects, CA, ServiceAccount signing keys) into an empty PostgreSQL database')
    .requiredOption('--from <store>', 'sqlite:<data-dir> (or sqlite:<file.db>) of a stopped server')
    .requiredOption('--to <url>', 'postgres://user@host/db; must not hold any objects yet')
    .option('--pki-dir <dir>', 'where ca.crt, ca.key and sa-signing-keys.json are (default <data-dir>/pki)')
    .addHelpText('after', `
Stop the server first. Objects are re-created in the order of their resourceVersions, above the
highest resourceVersion of the source: relative order is kept and clients re-list (410 Expired).
The CA and signing keys become Secrets in kube-system of the root cluster (readable through RBAC
on root only; by default only system:masters), so credentials issued before keep working.
At the end every object is compared with its source; any difference fails the command.`)
    .action(async (opts: { from: string; to: string; pkiDir?: string }) => {
      const { migrateStore } = await import('../server/store-migration.ts');
      const r = await migrateStore({ ...opts, log: (m) => console.error(m), progress: createProgress('copying objects', 'objects') });
      console.log(`Migrated ${r.objects} objects and ${r.secrets} shared secrets (source resourceVersion ${r.sourceRV}, target ${r.targetRV}).`);
      console.log(`Start the servers with: portcullis serve --store ${opts.to.replace(/:[^:@/]*@/, ':***@')}`);
    });
}
