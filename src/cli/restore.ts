// `portcullis restore --from FILE --data-dir DIR`: brings a backup back into a new data directory, with progress.
import { Command } from 'commander';
import { createProgress } from './progress.ts';

export function restoreCommand(): Command {
  return new Command('restore')
    .description('Restore a backup made by `portcullis backup` into a new data directory')
    .requiredOption('--from <file>', 'the backup file')
    .requiredOption('--data-dir <dir>', 'the data directory to create (must not hold a store yet)')
    .addHelpText('after', `
Restores the store, then checks every object, then writes the data directory's files (keys with mode 0600).
Start the server with: portcullis serve --data-dir <dir>. Credentials issued before the backup work again
(same CA, signing keys and pepper); objects written after it are not there.`)
    .action(async (opts: { from: string; dataDir: string }) => {
      const { restoreSqlite } = await import('../server/backup.ts');
      const r = await restoreSqlite({
        ...opts, copy: createProgress('copying store', 'pages'), check: createProgress('checking objects', 'objects'),
      });
      console.log(`Restored ${r.objects} objects and ${r.files.length} files into ${opts.dataDir}`);
      console.log(`Start the server with: portcullis serve --data-dir ${opts.dataDir}`);
    });
}
