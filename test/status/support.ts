import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import { FileService } from '@app/platform';

/** A small but real PDF, as a generated document would be. */
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export async function addDocument(app: NestFastifyApplication, caseId: string, kind = 'evisa', locale = 'en'): Promise<string> {
  const dataSource = app.get(DataSource);
  return dataSource.transaction(async (manager) => {
    const file = await app
      .get(FileService)
      .store(manager, { bytes: PDF_BYTES, kind: `generated:${kind}`, caseId, allowedTypes: ['application/pdf'], maxBytes: 1_000_000 });
    const [row] = (await manager.query(
      `INSERT INTO generated_document (case_id, kind, locale, file_id) VALUES ($1, $2, $3, $4) RETURNING id`,
      [caseId, kind, locale, file.id],
    )) as { id: string }[];
    return row!.id;
  });
}

/**
 * Injects like a browser that has loaded one of the site's pages: every post carries the anonymous
 * CSRF cookie and token (as X-CSRF-Token, which forms send as the `_csrf` field).
 */
export function injector(app: NestFastifyApplication): (options: InjectOptions) => Promise<LightMyRequestResponse> {
  const fastify = app.getHttpAdapter().getInstance();
  let csrf: Promise<{ cookie: string; token: string }> | undefined;
  const fetchCsrf = async () => {
    const page = await fastify.inject({ method: 'GET', url: '/status', headers: { accept: 'text/html' } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    const cookie = page.cookies.find((c) => c.name.includes('csrf'));
    if (!token || !cookie) throw new Error('the status page gave no CSRF token');
    return { cookie: `${cookie.name}=${cookie.value}`, token };
  };
  return async (options) => {
    if ((options.method ?? 'GET') === 'GET') return fastify.inject(options);
    csrf ??= fetchCsrf();
    const { cookie, token } = await csrf;
    const headers = (options.headers ?? {}) as Record<string, string>;
    const jar = headers.cookie ? `${headers.cookie}; ${cookie}` : cookie;
    return fastify.inject({ ...options, headers: { ...headers, cookie: jar, 'x-csrf-token': token } });
  };
}

export function form(fields: Record<string, string>): { headers: Record<string, string>; payload: string } {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    payload: new URLSearchParams(fields).toString(),
  };
}

export function expectNoInlineScript(html: string): void {
  expect(html).not.toMatch(/<script\b/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
}
