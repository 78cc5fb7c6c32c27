/** One stored object, as a listing gives it. */
export interface StoredObject {
  key: string;
  /** When its bytes were written: the sweeper leaves young objects alone, whose row may not be committed yet. */
  storedAt: Date;
}

/**
 * Where file bytes live. The default adapter writes to a local directory; an S3-compatible adapter
 * implements the same calls. Keys are random and never derived from user input.
 */
export abstract class StoragePort {
  abstract put(key: string, bytes: Buffer): Promise<void>;
  abstract get(key: string): Promise<Buffer>;
  abstract delete(key: string): Promise<void>;
  /** Every complete object, in no particular order (for the orphan sweeper; an S3 adapter pages through ListObjectsV2). */
  abstract list(): AsyncIterable<StoredObject>;
  /**
   * Removes what writes that died halfway left behind, if older than `before` (the local adapter's
   * temporary files; an S3 adapter leaves incomplete uploads to the bucket's lifecycle rule and returns 0).
   * Returns how many it removed.
   */
  abstract removeAbandonedWrites(before: Date): Promise<number>;
}
