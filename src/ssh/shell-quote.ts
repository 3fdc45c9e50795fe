// Quoting for POSIX sh, the shell every command of ours runs through (sshd runs the login shell with
// -c; LocalHost runs /bin/sh -c).

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One word for the shell: unchanged when it has no special characters, single-quoted otherwise. */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** `export A='1' B='2'; ` to put in front of a command, so the variables reach all of it. */
export function exportPrefix(env: Record<string, string>): string {
  const names = Object.keys(env);
  if (names.length === 0) return '';
  return `export ${names.map((name) => `${name}=${shellQuote(env[name])}`).join(' ')}; `;
}
