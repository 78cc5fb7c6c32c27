import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The repository root (the folder with package.json), whether running from src/ or dist/. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || dir.endsWith(`${path.sep}dist`)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** Every `libs/<name>/<sub>` folder that exists, e.g. all `views` or `i18n` folders. */
export function libraryFolders(sub: string): string[] {
  const libs = path.join(projectRoot(), 'libs');
  return fs
    .readdirSync(libs)
    .sort()
    .map((name) => path.join(libs, name, sub))
    .filter((dir) => fs.existsSync(dir));
}
