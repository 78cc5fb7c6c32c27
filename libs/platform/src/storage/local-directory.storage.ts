import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type StoredObject, StoragePort } from './storage.port.js';

const KEY_PATTERN = /^[a-f0-9-]{36}$/;
/** What `put` writes before renaming: `<key>.<random>.partial`. */
const PARTIAL_PATTERN = /^[a-f0-9-]{36}\.[a-f0-9-]{36}\.partial$/;
const SHARD_PATTERN = /^[a-f0-9-]{2}$/;

export class LocalDirectoryStorage extends StoragePort {
  constructor(private readonly root: string) {
    super();
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const target = this.pathFor(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    // Write then rename, so a crash never leaves a half-written file under the real name.
    const temporary = `${target}.${randomUUID()}.partial`;
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, target);
  }

  async get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathFor(key));
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathFor(key), { force: true });
  }

  /** Files are `<root>/<first two characters of the key>/<key>`; anything else in the folder is not ours to list. */
  async *list(): AsyncIterable<StoredObject> {
    for (const shard of await this.shards()) {
      for (const name of await entries(path.join(this.root, shard))) {
        if (!KEY_PATTERN.test(name) || !name.startsWith(shard)) continue;
        const stats = await fs.stat(path.join(this.root, shard, name)).catch(() => null); // deleted meanwhile
        if (stats?.isFile()) yield { key: name, storedAt: stats.mtime };
      }
    }
  }

  async removeAbandonedWrites(before: Date): Promise<number> {
    let removed = 0;
    for (const shard of await this.shards()) {
      for (const name of await entries(path.join(this.root, shard))) {
        if (!PARTIAL_PATTERN.test(name)) continue;
        const target = path.join(this.root, shard, name);
        const stats = await fs.stat(target).catch(() => null);
        if (!stats?.isFile() || stats.mtime >= before) continue;
        await fs.rm(target, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private async shards(): Promise<string[]> {
    return (await entries(this.root)).filter((name) => SHARD_PATTERN.test(name));
  }

  /** Keys are uuids we generated; anything else (such as `../`) is refused before touching the disk. */
  private pathFor(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error('invalid storage key');
    return path.join(this.root, key.slice(0, 2), key);
  }
}

/** A folder's entries; none when the folder does not exist (nothing stored yet). */
async function entries(folder: string): Promise<string[]> {
  try {
    return await fs.readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
