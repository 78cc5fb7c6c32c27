import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@app/platform';

export interface RefusalReason {
  code: string;
  en: string;
  zh: string;
}

/** The configurable list of refusal reasons (libs/review/data/refusal-reasons.json). */
export const REFUSAL_REASONS: readonly RefusalReason[] = (
  JSON.parse(fs.readFileSync(path.join(projectRoot(), 'libs/review/data/refusal-reasons.json'), 'utf8')) as { reasons: RefusalReason[] }
).reasons;
