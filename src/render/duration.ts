// Go durations for values that etcd's config file wants as nanoseconds (a time.Duration field
// decodes from a JSON number only).
import { parseGoDuration as parseGoDurationMs } from '../go-values';

/** Nanoseconds of a Go duration string, or undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const ms = parseGoDurationMs(text);
  return ms === undefined ? undefined : Math.round(ms * 1e6);
}
