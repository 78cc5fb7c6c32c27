import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError } from './config-error.js';

export type Environment = 'development' | 'test' | 'production';

export interface AppConfig {
  env: Environment;
  host: string;
  port: number;
  publicBaseUrl: string;
  logLevel: string;
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  queuePrefix: string;
  /**
   * BullMQ's job lock (renewed at half this while a job runs) and its stalled-job check interval:
   * a job whose worker died is handed to another worker within about twice this.
   */
  queueJobLockSeconds: number;
  /**
   * Where the worker serves /metrics and /health/live (it has no other HTTP); null serves nothing,
   * 0 takes any free port. Off unless set, so several workers on one machine never fight for a port.
   */
  workerMetricsPort: number | null;
  bodyLimitBytes: number;
  storageDir: string;
  bullBoardEnabled: boolean;
  mail: {
    /** smtp:// or smtps:// URL of the outgoing mail server (user:pass in the URL when it needs auth). */
    smtpUrl: string;
    /** The From header of every message, e.g. `Consular Services <no-reply@consular.example.gov>`. */
    from: string;
  };
  notifications: {
    /**
     * How long a notification in `sending` is assumed to belong to an attempt still running; after
     * that, the next attempt takes the recovery path. Longer than one SMTP conversation.
     */
    sendLeaseSeconds: number;
  };
  sms: {
    /** The SMS gateway's webhook; null means development messages are stored in the database (never in production). */
    webhookUrl: string | null;
    webhookToken: string | null;
  };
  crypto: {
    fieldKeys: Map<string, Buffer>;
    activeFieldKeyId: string;
    blindIndexKey: Buffer;
    linkSigningKey: Buffer;
  };
  retention: {
    /** Days after a case reaches a final status (and stops changing) before its personal data is anonymised. */
    closedCaseDays: number;
  };
  seal: {
    /** P-256 private keys that sign Visible Digital Seals, by key id (the seal's certificate reference). */
    signingKeys: Map<string, KeyObject>;
    activeKeyId: string;
  };
}

type Reader = (name: string) => string | undefined;

/** Collects every problem instead of stopping at the first, so one failed start lists them all. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly read: Reader) {}

  string(name: string, fallback?: string): string {
    const value = this.read(name)?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.read(name)?.trim() || fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.read(name)?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  optionalInteger(name: string, min: number, max: number): number | null {
    return this.read(name)?.trim() ? this.integer(name, min, min, max) : null;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.read(name)?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string, protocols: string[], fallback?: string): string {
    const value = this.string(name, fallback);
    if (!value) return value;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return value;
  }

  /** A 32-byte key given as base64. */
  key(name: string): Buffer {
    const raw = this.string(name);
    if (!raw) return Buffer.alloc(0);
    const key = Buffer.from(raw, 'base64');
    if (key.length !== 32) {
      this.problems.push(`${name} must be 32 bytes encoded as base64 (got ${key.length} bytes)`);
    }
    return key;
  }

  /** A keyring written as "kid:base64key,kid:base64key". */
  keyring(name: string): Map<string, Buffer> {
    const raw = this.string(name);
    const ring = new Map<string, Buffer>();
    if (!raw) return ring;
    for (const entry of raw.split(',')) {
      const [kid, encoded] = entry.split(':');
      const key = Buffer.from(encoded ?? '', 'base64');
      if (!kid || !/^[A-Za-z0-9_-]{1,16}$/.test(kid) || key.length !== 32) {
        this.problems.push(`${name} entries must look like "kid:<32 bytes as base64>" (bad entry "${kid ?? ''}")`);
        continue;
      }
      ring.set(kid, key);
    }
    return ring;
  }

  /**
   * P-256 private keys written as "KID:base64(PKCS8 DER),KID:…". Key ids are 1–16 of A–Z and 0–9,
   * because they travel in the seal header in C40 (which has no lower case or punctuation).
   */
  ecKeyring(name: string): Map<string, KeyObject> {
    const raw = this.string(name);
    const ring = new Map<string, KeyObject>();
    if (!raw) return ring;
    raw.split(',').forEach((entry, index) => {
      const separator = entry.indexOf(':');
      // Without a separator the entry may be bare key material: never echo it.
      const kid = separator < 0 ? '' : entry.slice(0, separator).trim();
      const label = `${name} entry ${index + 1} ("${kid.slice(0, 20)}")`;
      if (separator < 0 || !/^[A-Z0-9]{1,16}$/.test(kid)) {
        this.problems.push(`${label}: entries must look like "KID:<base64 PKCS8 DER>", the key id 1 to 16 characters of A-Z and 0-9`);
        return;
      }
      if (ring.has(kid)) {
        this.problems.push(`${label}: the key id is used twice`);
        return;
      }
      try {
        const key = createPrivateKey({ key: Buffer.from(entry.slice(separator + 1).trim(), 'base64'), format: 'der', type: 'pkcs8' });
        if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not P-256');
        ring.set(kid, key);
      } catch {
        this.problems.push(`${label}: not a P-256 private key in PKCS8 DER encoded as base64`);
      }
    });
    return ring;
  }
}

/** Connect, greeting and socket timeouts of one SMTP conversation (SmtpEmailSender) with some margin. */
const MIN_PRODUCTION_SEND_LEASE_SECONDS = 90;

const MAIL_FROM = /^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const env = new EnvReader((name) => source[name]);
  const environment = env.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const port = env.integer('PORT', 3000, 0, 65535);
  const fieldKeys = env.keyring('FIELD_ENCRYPTION_KEYS');
  const activeFieldKeyId = env.string('FIELD_ENCRYPTION_ACTIVE_KEY', [...fieldKeys.keys()].at(-1) ?? '');
  if (fieldKeys.size > 0 && !fieldKeys.has(activeFieldKeyId)) {
    env.problems.push(`FIELD_ENCRYPTION_ACTIVE_KEY "${activeFieldKeyId}" is not in FIELD_ENCRYPTION_KEYS`);
  }
  const sealKeys = env.ecKeyring('SEAL_SIGNING_KEYS');
  const activeSealKeyId = env.string('SEAL_ACTIVE_KEY', [...sealKeys.keys()].at(-1) ?? '');
  if (sealKeys.size > 0 && !sealKeys.has(activeSealKeyId)) {
    env.problems.push(`SEAL_ACTIVE_KEY "${activeSealKeyId}" is not in SEAL_SIGNING_KEYS`);
  }
  const config: AppConfig = {
    env: environment,
    host: env.string('HOST', '127.0.0.1'),
    port,
    publicBaseUrl: env.url('PUBLIC_BASE_URL', ['http:', 'https:'], `http://localhost:${port}`),
    logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    databaseUrl: env.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: env.integer('DATABASE_POOL_SIZE', 20, 1, 500),
    redisUrl: env.url('REDIS_URL', ['redis:', 'rediss:']),
    queuePrefix: env.string('QUEUE_PREFIX', 'consular'),
    queueJobLockSeconds: env.integer('QUEUE_JOB_LOCK_SECONDS', 30, 2, 600),
    workerMetricsPort: env.optionalInteger('WORKER_METRICS_PORT', 0, 65535),
    bodyLimitBytes: env.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    storageDir: env.string('STORAGE_DIR', '.data/files'),
    bullBoardEnabled: env.boolean('BULL_BOARD_ENABLED', environment !== 'production'),
    mail: {
      smtpUrl: env.url('SMTP_URL', ['smtp:', 'smtps:'], environment === 'production' ? undefined : 'smtp://127.0.0.1:1025'),
      from: env.string('MAIL_FROM', environment === 'production' ? undefined : 'Consular Services Portal <no-reply@consular.localhost>'),
    },
    notifications: { sendLeaseSeconds: env.integer('NOTIFICATION_LEASE_SECONDS', 180, 1, 86_400) },
    sms: {
      webhookUrl: env.url('SMS_WEBHOOK_URL', environment === 'production' ? ['https:'] : ['https:', 'http:'], '') || null,
      webhookToken: env.string('SMS_WEBHOOK_TOKEN', '') || null,
    },
    crypto: {
      fieldKeys,
      activeFieldKeyId,
      blindIndexKey: env.key('BLIND_INDEX_KEY'),
      linkSigningKey: env.key('LINK_SIGNING_KEY'),
    },
    retention: { closedCaseDays: env.integer('RETENTION_CLOSED_CASE_DAYS', 730, 1, 36_500) },
    seal: { signingKeys: sealKeys, activeKeyId: activeSealKeyId },
  };
  if (config.mail.from && !MAIL_FROM.test(config.mail.from)) {
    env.problems.push(`MAIL_FROM must be an address or "Name <address>" (got "${config.mail.from}")`);
  }
  if (environment === 'production' && config.notifications.sendLeaseSeconds < MIN_PRODUCTION_SEND_LEASE_SECONDS) {
    env.problems.push(
      `NOTIFICATION_LEASE_SECONDS must be at least ${MIN_PRODUCTION_SEND_LEASE_SECONDS} in production, longer than one SMTP conversation`,
    );
  }
  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return config;
}
