// Starting and stopping a member under its runtime. systemd: the unit cairnadm rendered;
// static-pod: the kubelet owns the process, so only the manifest starts or stops it; process: a
// small supervisor of our own (setsid + nohup, a pid file and a log file under installDir/run),
// for hosts without systemd.
import { posix } from 'node:path';
import { configFileCommand } from '../render';
import { shellCommand, shellQuote, type Host } from '../ssh';
import { memberRenderInput, type AdmConfig } from './config';

const TIMEOUT_MS = 60_000;
/** how long a fresh process must stay up before launch calls it started */
const SETTLE_SECONDS = 1;

export interface ProcessFiles {
  pidFile: string;
  logFile: string;
}

export function processFiles(config: AdmConfig): ProcessFiles {
  const run = posix.join(config.paths.installDir, 'run');
  return { pidFile: posix.join(run, 'cairn.pid'), logFile: posix.join(run, 'cairn.log') };
}

export function unitName(config: AdmConfig): string {
  return posix.basename(config.paths.unitFile);
}

/** sh that sets `p` to the supervised pid when that process is alive and is our member (pid reuse aside). */
function findOurProcess(config: AdmConfig): string {
  const { pidFile } = processFiles(config);
  return `p=$(cat ${shellQuote(pidFile)} 2>/dev/null); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && tr '\\0' ' ' < /proc/$p/cmdline | grep -qF -- ${shellQuote(config.paths.configFile)}; then :; else p=; fi`;
}

async function sh(host: Host, script: string, what: string, readOnly = false): Promise<string> {
  const r = await host.exec(script, { timeoutMs: TIMEOUT_MS, readOnly });
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-8).join('\n')}`);
  return r.stdout.trim();
}

/** Whether the member runs now: the supervised process, or the unit, is active. */
export async function memberRunning(host: Host, config: AdmConfig): Promise<boolean> {
  switch (config.runtime) {
    case 'process':
      return (await sh(host, `${findOurProcess(config)}; echo "\${p:-none}"`, 'looking for the cairn process', true)) !== 'none';
    case 'systemd':
      return (await host.exec(`systemctl is-active --quiet ${shellQuote(unitName(config))}`, { timeoutMs: TIMEOUT_MS, readOnly: true })).code === 0;
    case 'static-pod':
      return host.exists(config.paths.manifestFile);
  }
}

/** Starts the member, or restarts it when `restart` (its files changed); returns what it did. */
export async function startMember(host: Host, config: AdmConfig, opts: { restart: boolean }): Promise<'started' | 'restarted' | 'running' | 'kubelet'> {
  switch (config.runtime) {
    case 'process': {
      const running = await memberRunning(host, config);
      if (running && !opts.restart) return 'running';
      if (running) await stopMember(host, config);
      const { pidFile, logFile } = processFiles(config);
      const argv = configFileCommand(memberRenderInput(config, host.name));
      await sh(
        host,
        [
          `mkdir -p ${shellQuote(posix.dirname(pidFile))}`,
          'cd /',
          `setsid nohup ${shellCommand(argv)} >>${shellQuote(logFile)} 2>&1 </dev/null & echo $! > ${shellQuote(pidFile)}`,
          `sleep ${SETTLE_SECONDS}`,
          `if ! kill -0 "$(cat ${shellQuote(pidFile)})" 2>/dev/null; then echo "cairn exited at once; the end of ${logFile}:" >&2; tail -n 8 ${shellQuote(logFile)} >&2; exit 1; fi`,
        ].join('; '),
        'starting cairn',
      );
      return running ? 'restarted' : 'started';
    }
    case 'systemd': {
      const unit = shellQuote(unitName(config));
      const running = await memberRunning(host, config);
      await sh(host, `systemctl daemon-reload && systemctl enable ${unit} && systemctl ${running && opts.restart ? 'restart' : 'start'} ${unit}`, `starting ${unitName(config)}`);
      return running ? (opts.restart ? 'restarted' : 'running') : 'started';
    }
    case 'static-pod':
      return 'kubelet';
  }
}

/** Stops the member; a member that is not running counts as stopped. */
export async function stopMember(host: Host, config: AdmConfig): Promise<void> {
  switch (config.runtime) {
    case 'process': {
      const { pidFile } = processFiles(config);
      // TERM, up to 10 s to exit, then KILL
      await sh(
        host,
        `${findOurProcess(config)}; if [ -n "$p" ]; then kill "$p"; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; kill -9 "$p" 2>/dev/null; fi; rm -f ${shellQuote(pidFile)}`,
        'stopping cairn',
      );
      return;
    }
    case 'systemd': {
      const unit = shellQuote(unitName(config));
      await sh(host, `if systemctl cat ${unit} >/dev/null 2>&1; then systemctl disable --now ${unit}; fi`, `stopping ${unitName(config)}`);
      return;
    }
    case 'static-pod':
      // the kubelet stops the pod once its manifest is gone
      await host.remove(config.paths.manifestFile);
  }
}

/**
 * Restarts a member that runs now, so it reads its files again. static-pod: the manifest goes away
 * until `stopped` says the kubelet has stopped the pod, then comes back unchanged.
 */
export async function restartMember(host: Host, config: AdmConfig, stopped: () => Promise<void>): Promise<void> {
  switch (config.runtime) {
    case 'process':
      await startMember(host, config, { restart: true });
      return;
    case 'systemd':
      await sh(host, `systemctl restart ${shellQuote(unitName(config))}`, `restarting ${unitName(config)}`);
      return;
    case 'static-pod': {
      const manifest = await host.read(config.paths.manifestFile);
      await stopMember(host, config);
      await stopped();
      await host.upload(config.paths.manifestFile, manifest, { mode: 0o600 });
    }
  }
}
