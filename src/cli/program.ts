// The CLI's command tree (commander); each command lives in its own file.
import { Command } from 'commander';
import { serveCommand } from './serve.ts';

export function buildProgram(): Command {
  const program = new Command('portcullis')
    .description('Portcullis: an access-control plane serving many logical Kubernetes clusters')
    .showHelpAfterError();
  program.addCommand(serveCommand());
  return program;
}
