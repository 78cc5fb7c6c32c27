import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@app/platform';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common' | 'containsUsername';

let commonPasswords: ReadonlySet<string> | undefined;

/** The shipped list of common and breached passwords (libs/identity/data/common-passwords.txt), lower case. */
export function loadCommonPasswords(): ReadonlySet<string> {
  if (!commonPasswords) {
    const file = path.join(projectRoot(), 'libs/identity/data/common-passwords.txt');
    commonPasswords = new Set(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#')),
    );
  }
  return commonPasswords;
}

/**
 * NIST 800-63B / ASVS 2.1: length between 12 and 128 characters (Unicode code points, spaces
 * allowed), no composition rules, and not a known common password or a variation of the username.
 */
export function checkPassword(
  password: string,
  username?: string,
  common: ReadonlySet<string> = loadCommonPasswords(),
): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'tooShort';
  if (length > PASSWORD_MAX_LENGTH) return 'tooLong';
  const lowered = password.toLowerCase();
  if (common.has(lowered) || common.has(lowered.trim())) return 'common';
  if (username && username.length >= 3 && lowered.includes(username.toLowerCase())) return 'containsUsername';
  return null;
}
