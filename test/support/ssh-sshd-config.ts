// The sshd_config of one test host: key-only root login on one loopback address, everything that
// would slow a login down (PAM, DNS) switched off, and every file the daemon writes kept in its dir.

export interface SshdConfigInput {
  address: string;
  port: number;
  hostKeyFile: string;
  authorizedKeysFile: string;
  pidFile: string;
}

export function renderSshdConfig(input: SshdConfigInput): string {
  return [
    `ListenAddress ${input.address}`,
    `Port ${input.port}`,
    `HostKey ${input.hostKeyFile}`,
    `PidFile ${input.pidFile}`,
    `AuthorizedKeysFile ${input.authorizedKeysFile}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    // the key files live under the test's temp dir, which sits in the world-writable /tmp
    'StrictModes no',
    'PrintMotd no',
    'PermitUserEnvironment no',
    // cairnadm opens many sessions at once on one connection (preflight checks run in parallel)
    'MaxSessions 32',
    'MaxStartups 64:30:128',
    'LoginGraceTime 30',
    'Subsystem sftp /usr/lib/openssh/sftp-server', // Debian's default
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}
