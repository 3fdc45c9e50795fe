// `cairnadm`: the kubeadm-style bootstrap tool (commands in src/adm).
import './quiet-warnings';
import { runAdm, terminalConfirm } from '../adm';

runAdm(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  confirm: terminalConfirm,
}).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
