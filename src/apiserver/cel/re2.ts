// RE2 (linear-time, Go-compatible) regular expressions for CEL and schema patterns, with match positions for
// find/findAll. @bufbuild/re2 exports no position API, so its engine's input type is reached by file path.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const main = require.resolve('@bufbuild/re2');
interface Engine { executeEngine(input: unknown, pos: number, anchor: number, ncap: number): number[] | null }
interface Compiled { re2Input: Engine; test(s: string): boolean }
const { RE2JS } = require(main) as { RE2JS: { compile(p: string): Compiled } };
const { fromUTF16 } = require(path.join(path.dirname(main), 'MachineInput.js')) as { fromUTF16(s: string): unknown };

export interface Regex { test(s: string): boolean; findAll(s: string, limit: number): string[] }

/** Compiles an RE2 pattern; throws on invalid syntax. */
export function compileRegex(pattern: string): Regex {
  const re = RE2JS.compile(pattern);
  return {
    test: (s) => re.test(s),
    findAll(s, limit) {
      const input = fromUTF16(s);
      const out: string[] = [];
      let pos = 0;
      while ((limit < 0 || out.length < limit) && pos <= s.length) {
        const m = re.re2Input.executeEngine(input, pos, 0, 2);
        if (!m) break;
        out.push(s.slice(m[0], m[1]));
        pos = m[1] > m[0] ? m[1] : m[1] + 1;
      }
      return out;
    },
  };
}
