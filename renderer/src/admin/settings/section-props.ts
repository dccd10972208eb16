import type { Settings } from '../../store/types.js';
import type { IssuePath } from './settings-issues.js';

/** What every settings section gets: the form's values, a way to change one setting, and its issues in words. */
export interface SectionProps {
  readonly draft: Settings;
  readonly change: <K extends keyof Settings>(key: K, value: Settings[K]) => void;
  /** The issue at a field, in words and in the field's unit (`scale` stored units per shown unit). */
  readonly issue: (path: IssuePath, scale?: number, unit?: string) => string | undefined;
}
