// Configuration errors: each issue names the field and, when the file is YAML, its line.
export interface ConfigIssue {
  /** The field, as `hosts[1].address`. */
  path: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}${issue.line ? ` (line ${issue.line})` : ''}`;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly file?: string;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ? `${file}: ` : '';
    const body = issues.length === 1 ? formatIssue(issues[0]) : `${issues.length} problems\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`;
    super(`config: ${where}${body}`);
    this.name = 'ConfigError';
    this.issues = issues;
    this.file = file;
  }
}
