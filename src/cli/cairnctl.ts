// `cairnctl`: the etcdctl-compatible client. This entry point answers --help and --version; the
// commands (get, put, del, txn, watch, lease, member, endpoint, snapshot, ...) are added by src/ctl.
import { Command } from 'commander';
import { readCairnVersion } from '../server';

const program = new Command('cairnctl')
  .description('etcdctl-compatible client for cairn and etcd (the commands come in a later release)')
  .version(`cairnctl version: ${readCairnVersion()}`, '--version', 'print the version and exit')
  .addHelpText('after', '\nNo commands are available in this build yet.');

program.parse(process.argv);
program.outputHelp();
