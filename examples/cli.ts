// What the small command-line examples share: usage and option errors worded as GNU tools
// word them, numeric option checks, and interface names or indexes.
import { exit } from 'node:process';
import { fprintf, if_nametoindex, stderr } from '../lib/index.js';

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
