// The CLI's command tree (commander); each command lives in its own file.
import { Command } from 'commander';
import { serveCommand } from './serve.ts';
import { migrateCommand } from './migrate.ts';
import { tenantClustersCommand } from './tenant-clusters.ts';
import { loginCommand, logoutCommand, whoamiCommand } from './login.ts';
import { accessKeysCommand } from './access-keys.ts';
import { credentialsCommand } from './credentials.ts';
import { kubeconfigCommand } from './kubeconfig.ts';
import { credentialPluginCommand } from './credential-plugin.ts';
import { explainCommand } from './explain.ts';
import { idpCommand } from './idp.ts';
import { adminCommand } from './admin.ts';
import { clustersCommand } from './clusters.ts';

export function buildProgram(): Command {
  const program = new Command('portcullis')
    .description('Portcullis: an access-control plane serving many logical Kubernetes clusters')
    .showHelpAfterError();
  program.addCommand(serveCommand());
  program.addCommand(migrateCommand());
  program.addCommand(tenantClustersCommand());
  const commands = [loginCommand(), logoutCommand(), whoamiCommand(), accessKeysCommand(), credentialsCommand(), kubeconfigCommand(),
    credentialPluginCommand(), explainCommand(), idpCommand(), adminCommand(), clustersCommand()];
  for (const c of commands) program.addCommand(c);
  return program;
}
