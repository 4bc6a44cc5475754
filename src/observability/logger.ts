// The server's structured logger (pino): JSON lines on stderr, human-readable when stderr is a terminal, or
// JSON lines handed to a function (tests collect them). Synchronous writes, so nothing is lost at exit.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Human-readable output (default: when stderr is a terminal). */
  pretty?: boolean;
  /** Receives each JSON line (without newline) instead of stderr. */
  write?: (line: string) => void;
}

export function createLogger(o: LoggerOptions): Logger {
  const base = {
    base: { pid: process.pid }, level: o.level, timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (o.write) {
    const write = o.write;
    return pino(base, { write: (s: string) => write(s.endsWith('\n') ? s.slice(0, -1) : s) });
  }
  if (o.pretty ?? process.stderr.isTTY) {
    return pino(base, pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' }));
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
