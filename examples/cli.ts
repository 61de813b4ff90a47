// What the small command-line examples share: usage and option errors worded as GNU tools
// word them, numeric option checks, interface names or indexes, and running a tool of lib/cli.
import { exit } from 'node:process';
import { fprintf, if_nametoindex, stderr } from '../lib/index.js';
import { ToolError } from '../lib/cli/common.js';

export interface Cli {
  /** Prints the usage line and exits 2. */
  usage(): never;
  /** getopt()'s error callback: `prog: invalid option -- 'x'`, then the usage. */
  badOption(kind: 'invalid' | 'missing', option: string): never;
  /** An integer option value within [min, max], or `prog: invalid WHAT: 'text'` and exit 2. */
  number(text: string, what: string, min: number, max: number): number;
  /** An interface index from a number or an interface name. */
  ifindexOf(text: string): number;
}

export function cli(prog: string, usageLine: string): Cli {
  const c: Cli = {
    usage() {
      fprintf(stderr, '%s\n', usageLine);
      exit(2);
    },
    badOption(kind, option) {
      fprintf(stderr, kind === 'invalid' ? '%s: invalid option -- \'%s\'\n' : '%s: option requires an argument -- \'%s\'\n', prog, option);
      return c.usage();
    },
    number(text, what, min, max) {
      const n = Number(text);
      if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
        fprintf(stderr, '%s: invalid %s: \'%s\'\n', prog, what, text);
        exit(2);
      }
      return n;
    },
    ifindexOf(text) {
      if (/^\d+$/.test(text)) return c.number(text, 'interface index', 1, 2 ** 31 - 1);
      try {
        return if_nametoindex(text);
      } catch (e) {
        fprintf(stderr, '%s: %s: %s\n', prog, text, (e as Error).message);
        exit(2);
      }
    },
  };
  return c;
}

/**
 * Runs one of the tools in lib/cli under its classic name: what it resolves to is the exit
 * status; a ToolError prints `prog: what: detail` (as perror does) and exits `failStatus`
 * (2 for bad arguments), anything else `prog: message` and exit 2.
 */
export function runTool(prog: string, failStatus: number, main: () => Promise<number>): void {
  main().then((code) => exit(code), (e: unknown) => {
    fprintf(stderr, '%s: %s\n', prog, e instanceof Error ? e.message : String(e));
    exit(e instanceof ToolError && !e.usage ? failStatus : 2);
  });
}
