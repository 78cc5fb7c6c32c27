export interface RunningService {
  url: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}
export function log(message: string): void;
export function freePort(): Promise<number>;
export function waitForPort(port: number, timeoutMs: number, label: string): Promise<void>;
export function startPostgres(options: {
  dataDir: string;
  port: number;
  password?: string;
  quiet?: boolean;
  fsync?: boolean;
}): Promise<RunningService>;
export function ensureRedisServer(): string;
export function startRedis(options: { dataDir: string; port: number; appendOnly?: boolean }): Promise<RunningService>;
