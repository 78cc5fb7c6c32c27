import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import { startTestStack, type TestStack } from './harness/app.js';

describe('HTTP foundation', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    stack = await startTestStack({ env: { BODY_LIMIT_BYTES: '2048' } });
    app = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const inject = (options: InjectOptions) => app.getHttpAdapter().getInstance().inject(options);

  function expectErrorShape(body: string, code: string): void {
    const parsed = JSON.parse(body) as { error: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error.code).toBe(code);
    expect(typeof parsed.error.message).toBe('string');
    expect(parsed.error.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  }

  it('renders the home page in English and Traditional Chinese, with no inline script', async () => {
    const en = await inject({ method: 'GET', url: '/', headers: { accept: 'text/html', 'accept-language': 'en' } });
    const zh = await inject({ method: 'GET', url: '/?lang=zh-Hant', headers: { accept: 'text/html' } });
    expect(en.statusCode).toBe(200);
    expect(zh.statusCode).toBe(200);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Document authentication');
    expect(zh.body).toContain('<html lang="zh-Hant">');
    expect(zh.body).toContain('電子簽證');
    expect(zh.headers['set-cookie']).toContain('lang=zh-Hant');
    for (const html of [en.body, zh.body]) {
      const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? [];
      expect(scripts.filter((tag) => !/\bsrc=/.test(tag) || !/<script[^>]*>\s*<\/script>/i.test(tag))).toEqual([]);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html).not.toContain('javascript:');
    }
    expect(en.headers['content-security-policy']).toContain("script-src 'self'");
    expect(en.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(en.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers an unknown route with the one error shape (JSON for the API, a page for browsers)', async () => {
    const api = await inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expectErrorShape(api.body, 'NOT_FOUND');
    const page = await inject({ method: 'GET', url: '/nothing-here', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
  });

  it('answers a malformed body with 400 and an oversized body with 413, never a 500', async () => {
    const bad = await inject({
      method: 'POST',
      url: '/health/live',
      headers: { 'content-type': 'application/json' },
      payload: '{"broken":',
    });
    expect(bad.statusCode).toBe(400);
    expectErrorShape(bad.body, 'BAD_REQUEST');
    const big = await inject({
      method: 'POST',
      url: '/health/live',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(10_000) }),
    });
    expect(big.statusCode).toBe(413);
    expectErrorShape(big.body, 'PAYLOAD_TOO_LARGE');
  });

  it('reports ready when PostgreSQL and Redis answer, and serves metrics and the OpenAPI document', async () => {
    const ready = await inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(JSON.parse(ready.body).info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    const metrics = await inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('outbox_lag_seconds');
    const docs = await inject({ method: 'GET', url: '/api/docs-json' });
    expect(JSON.parse(docs.body).openapi).toMatch(/^3\./);
    expect(ready.headers['x-request-id']).toBeTruthy();
  });
});
