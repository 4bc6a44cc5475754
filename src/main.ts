// The portcullis command line: parses arguments and starts the requested command; no logic of its own.
import { buildProgram } from './cli/program.ts';

buildProgram().parseAsync(process.argv).catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
