// Errors of rendering. Texts keep etcd's form: lowercase, no final period, "render:" prefix.
export class RenderError extends Error {
  constructor(message: string) {
    super(`render: ${message}`);
    this.name = 'RenderError';
  }
}
