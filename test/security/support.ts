import { randomInt } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DeclaredRoute } from '@app/identity';

/** Page routes answer HTML and are protected by the CSRF form token; the rest is the JSON API and probes. */
export function isPageRoute(route: Pick<DeclaredRoute, 'path'>): boolean {
  return !/^\/(api|health|metrics)(\/|$)/.test(route.path);
}

/** A URL for a route, with every path parameter filled by `value(name)`. */
export function urlOf(route: Pick<DeclaredRoute, 'path'>, value: (name: string) => string): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(value(name)));
}

/**
 * A fingerprint of every row of every table in the public schema (row count and an md5 over the
 * rows' text, in order): equal fingerprints mean nothing was written, whatever table it would be.
 */
export async function databaseFingerprint(dataSource: DataSource): Promise<Record<string, string>> {
  const tables = (await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  )) as { table_name: string }[];
  const fingerprint: Record<string, string> = {};
  for (const { table_name: table } of tables) {
    const [row] = (await dataSource.query(
      `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS digest FROM "${table}" t`,
    )) as { n: number; digest: string }[];
    fingerprint[table] = `${row!.n}:${row!.digest}`;
  }
  return fingerprint;
}

/** Each cookie a response sets, by name, with its attributes in lower case (`httponly`, `samesite=lax`, `path=/evisa`…). */
export function cookieAttributes(setCookie: string | string[] | undefined): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const header of ([] as string[]).concat(setCookie ?? [])) {
    const [pair, ...attributes] = header.split(';').map((part) => part.trim());
    const name = pair!.slice(0, pair!.indexOf('='));
    found.set(name, new Set(attributes.map((a) => a.toLowerCase())));
  }
  return found;
}

/**
 * A client address of its own. Rate limits count per IP in Redis, and every test file of the run
 * shares one Redis: requests from the default 127.0.0.1 would eat into other files' allowances.
 */
export function freshAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}
