// `cairnadm`: the kubeadm-style bootstrap tool. This entry point answers --help and --version; its
// commands (init, join, reset, certs, backup, restore) are added by src/adm.
import { Command } from 'commander';
import { readCairnVersion } from '../server';

const program = new Command('cairnadm')
  .description('bootstrap and operate cairn clusters: PKI, config, launching members over SSH (the commands come in a later release)')
  .version(`cairnadm version: ${readCairnVersion()}`, '--version', 'print the version and exit')
  .addHelpText('after', '\nNo commands are available in this build yet.');

program.parse(process.argv);
program.outputHelp();
