// Where certificates and keys live, and the small file interface the PKI module writes through,
// so the same code can fill a local directory or (through an adapter) a remote host.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const KEY_FILE_MODE = 0o600;
export const CERT_FILE_MODE = 0o644;

export interface PkiFiles {
  /** The file's text, or undefined when it does not exist. */
  read(file: string): Promise<string | undefined>;
  /** Writes the file (creating parent directories) and sets its mode. */
  write(file: string, data: string, mode: number): Promise<void>;
}

export const certPath = (certificatesDir: string, baseName: string): string => path.join(certificatesDir, `${baseName}.crt`);
export const keyPath = (certificatesDir: string, baseName: string): string => path.join(certificatesDir, `${baseName}.key`);

/** PkiFiles on this machine's file system. Writes go to a temporary file renamed into place. */
export function localPkiFiles(): PkiFiles {
  return {
    async read(file) {
      try {
        return await fs.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async write(file, data, mode) {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, data, { mode });
      await fs.chmod(tmp, mode); // the umask may have narrowed the mode given to open
      await fs.rename(tmp, file);
    },
  };
}
