// `portcullis serve`: runs the API server until SIGINT/SIGTERM.
import { Command, Option } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type ConfigFlags } from '../server/config.ts';
import type { RunningServer } from '../server/server.ts';
import { caFingerprint } from './tls-trust.ts';

/** What `npm start` prints: where it serves, the admin kubeconfig, the CA to trust, the web console and a ready login line. */
export function startBanner(server: Pick<RunningServer, 'url' | 'adminKubeconfigPath' | 'pki'>, dataDir: string): string[] {
  const abs = path.resolve(dataDir);
  const caPath = path.join(abs, 'pki', 'ca.crt');
  // The CA certificate is public; on PostgreSQL it lives in the store, so write the copy users point at.
  if (!existsSync(caPath)) writeFileSync(caPath, server.pki.caCertPem, { mode: 0o644 });
  const passwordFile = path.join(abs, 'admin.password');
  return [
    `Portcullis is serving on ${server.url}`,
    `Admin kubeconfig: ${server.adminKubeconfigPath}`,
    `  export KUBECONFIG=${server.adminKubeconfigPath}`,
    `CA certificate: ${caPath}`,
    `  SHA-256 fingerprint: ${caFingerprint(server.pki.caCertPem)}`,
    `Web console: ${server.url}/ (sign in as admin; trust the CA above, or accept the certificate in the browser)`,
    existsSync(passwordFile)
      ? `Log in with the CLI as admin (the password is in ${passwordFile}):`
      : 'Log in with the CLI:',
    `  npx portcullis login ${server.url} --username admin --ca-file ${caPath}`,
  ];
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the Portcullis API server (embedded SQLite store unless --store says otherwise)')
    .option('--config <file>', 'YAML config file; flags override its values')
    .option('--data-dir <dir>', 'where the store, PKI and admin kubeconfig live (default ./data)')
    .option('--listen <host:port>', 'address to serve HTTPS on (default :8443)')
    .addOption(new Option('--hostname <name...>', 'extra DNS names / IPs for the serving certificate'))
    .option('--store <url>', 'sqlite:<path> (default <data-dir>/portcullis.db) or postgres://user@host/db')
    .option('--external-url <url>', 'URL clients use to reach this server (kubeconfigs, token issuer)')
    .option('--audit-policy-file <file>', 'audit.k8s.io/v1 Policy YAML (default: Metadata level for every request)')
    .option('--audit-log-path <file>', 'audit log file, "-" for stdout (default <data-dir>/audit.log)')
    .option('--audit-log-maxsize <MB>', 'rotate the audit log at this size in megabytes (default 100; 0: never)')
    .option('--audit-log-maxbackup <n>', 'rotated audit log files to keep (default 10)')
    .option('--log-level <level>', 'fatal, error, warn, info (default), debug (a line per request), trace or silent')
    .option('--no-metrics', 'serve no /metrics and keep no request metrics')
    .option('--metrics-per-cluster', 'add a cluster label to request metrics (one series set per logical cluster)')
    .option('--shutdown-delay-seconds <s>', 'on SIGTERM, keep serving this long after /readyz fails (default 0)')
    .option('--shutdown-timeout-seconds <s>', 'on SIGTERM, wait at most this long for in-flight requests (default 60)')
    .addHelpText('after', `
Configuration file keys (YAML): dataDir, listen, hostnames, store, externalUrl,
bookmarkIntervalSeconds (60), watchCacheEvents (100000), watchCacheWindowSeconds (75),
watchCacheIdleSweepSeconds (60; 0: never compress idle clusters),
auditPolicyFile, auditLogPath (<dataDir>/audit.log), auditLogMaxSizeMB (100), auditLogMaxBackups (10),
logLevel (info), metrics (true), metricsPerCluster (false), shutdownDelaySeconds (0), shutdownTimeoutSeconds (60).

On first start Portcullis creates <data-dir>, an ECDSA CA, a serving certificate and
<data-dir>/admin.kubeconfig (client certificate in group system:masters, a context per
logical cluster).`)
    .action(async (opts: ConfigFlags) => {
      const cfg = loadConfig(opts);
      // Loaded on demand: client commands (e.g. the exec credential plugin) must start fast.
      const { startServer } = await import('../server/server.ts');
      const server = await startServer(cfg);
      for (const line of startBanner(server, cfg.dataDir)) console.log(line);
      // SIGTERM/SIGINT: graceful (readyz false, drain, clean watch ends, flush); a second signal exits at once.
      const stop = () => {
        process.once('SIGINT', () => process.exit(1));
        process.once('SIGTERM', () => process.exit(1));
        server.shutdown().then(() => process.exit(0), (e: unknown) => {
          console.error(`error: shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(1);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
