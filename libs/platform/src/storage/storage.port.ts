/**
 * Where file bytes live. The default adapter writes to a local directory; an S3-compatible adapter
 * implements the same three calls. Keys are random and never derived from user input.
 */
export abstract class StoragePort {
  abstract put(key: string, bytes: Buffer): Promise<void>;
  abstract get(key: string): Promise<Buffer>;
  abstract delete(key: string): Promise<void>;
}
