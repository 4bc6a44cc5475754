// `portcullis backup --to FILE`: an online, consistent snapshot of the embedded store and the data directory's
// keys, taken while the server keeps serving.
import { Command } from 'commander';

export function backupCommand(): Command {
  return new Command('backup')
    .description('Back up an embedded (SQLite) installation, online, into one file (mode 0600)')
    .requiredOption('--to <file>', 'the backup file to create (must not exist)')
    .option('--data-dir <dir>', 'the data directory of the server (default ./data)', './data')
    .option('--store <url>', 'sqlite:<path> when the store is not <data-dir>/portcullis.db')
    .addHelpText('after', `
The server may keep running: the store is copied with SQLite's online backup API in one read transaction, so the
backup holds exactly the objects committed before that moment. The file also holds the data directory's files
(CA certificate and key, serving certificate, signing keys, credentials pepper, admin kubeconfig and password):
keep it as secret as the keys themselves. Audit logs are not included.
PostgreSQL installations: back up the database with pg_dump (see "Operating" in the README).`)
    .action(async (opts: { to: string; dataDir: string; store?: string }) => {
      const { backupSqlite } = await import('../server/backup.ts');
      const r = await backupSqlite(opts);
      console.log(`Backed up ${r.objects} objects and ${r.files.length} files (${r.files.join(', ')}) to ${opts.to}`);
    });
}
