// version: this client's version and the API version it speaks.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CtlContext } from '../context';

function packageVersion(): string {
  for (let dir = __dirname; ; dir = join(dir, '..')) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      if (dir === join(dir, '..')) return 'unknown';
    }
  }
}

export function registerVersionCommand(program: Command, ctx: CtlContext): void {
  program.command('version').description('Prints the version of cairnctl')
    .action(() => {
      ctx.output.out(`cairnctl version: ${packageVersion()}\nAPI version: 3.4\n`);
    });
}
