// `portcullis serve`: runs the API server until SIGINT/SIGTERM.
import { Command, Option } from 'commander';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the Portcullis API server (embedded SQLite store unless --store says otherwise)')
    .option('--config <file>', 'YAML config file; flags override its values')
    .option('--data-dir <dir>', 'where the store, PKI and admin kubeconfig live (default ./data)')
    .option('--listen <host:port>', 'address to serve HTTPS on (default :8443)')
    .addOption(new Option('--hostname <name...>', 'extra DNS names / IPs for the serving certificate'))
    .option('--store <url>', 'sqlite:<path> (default <data-dir>/portcullis.db) or postgres://user@host/db')
    .option('--external-url <url>', 'URL clients use to reach this server (kubeconfigs, token issuer)')
    .addHelpText('after', `
Configuration file keys (YAML): dataDir, listen, hostnames, store, externalUrl,
bookmarkIntervalSeconds (60), watchCacheEvents (100000), logLevel (info).

On first start Portcullis creates <data-dir>, an ECDSA CA, a serving certificate and
<data-dir>/admin.kubeconfig (client certificate in group system:masters, a context per
logical cluster).`)
    .action(async (opts: { config?: string; dataDir?: string; listen?: string; hostname?: string[]; store?: string; externalUrl?: string }) => {
      const cfg = loadConfig(opts);
      const server = await startServer(cfg);
      console.log(`Portcullis is serving on ${server.url}`);
      console.log(`Admin kubeconfig: ${server.adminKubeconfigPath}`);
      console.log(`  export KUBECONFIG=${server.adminKubeconfigPath}`);
      const stop = () => { void server.close().then(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
