export { Inflights } from './inflights';
export { Progress, ProgressState } from './progress';
export { ProgressTracker, TrackerConfig } from './tracker';
export type { ProgressMap } from './tracker';
