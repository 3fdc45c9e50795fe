// Errors of the PKI module. Texts keep etcd's form: lowercase, no final period, "pki:" prefix.
export class PkiError extends Error {
  /** The file the error is about, when there is one. */
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(`pki: ${message}`);
    this.name = 'PkiError';
    this.file = file;
  }
}

