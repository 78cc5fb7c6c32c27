import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/** A request as Fastify's inject() takes it, answered as inject() answers it. */
export type Inject = (options: InjectOptions) => Promise<LightMyRequestResponse>;

/** One Set-Cookie header as inject() lists it; a cookie cleared with Max-Age=0 reads as expired. */
function parseSetCookie(header: string): { name: string; value: string; expires?: Date } {
  const [pair, ...attributes] = header.split(';');
  const at = pair!.indexOf('=');
  const cookie: { name: string; value: string; expires?: Date } = { name: pair!.slice(0, at).trim(), value: pair!.slice(at + 1).trim() };
  for (const attribute of attributes) {
    const [name, value = ''] = attribute.split('=').map((part) => part.trim());
    if (name!.toLowerCase() === 'expires') cookie.expires = new Date(value);
    if (name!.toLowerCase() === 'max-age' && Number(value) <= 0) cookie.expires = new Date(0);
  }
  return cookie;
}

/**
 * inject() over a real socket, to a server listening at `baseUrl` (such as the API that `npm run dev`
 * starts in its own process), so the helpers written for inject() (the eVisa helpers, the harness
 * Browser) drive it unchanged. It fills in what they read: the status, the headers, the body,
 * json() and the cookies set. Redirects are returned, not followed.
 */
export function httpInjector(baseUrl: string): Inject {
  return async (options) => {
    if (typeof options.url !== 'string') throw new Error('httpInjector takes string URLs');
    const headers = { ...(options.headers as Record<string, string> | undefined) };
    const payload = options.payload ?? options.body;
    let body: string | Buffer | undefined;
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) body = payload;
    else if (payload !== undefined) {
      body = JSON.stringify(payload);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(new URL(options.url, baseUrl), { method: options.method ?? 'GET', headers, body, redirect: 'manual' });
    const rawPayload = Buffer.from(await response.arrayBuffer());
    const text = rawPayload.toString('utf8');
    return {
      statusCode: response.status,
      headers: { ...Object.fromEntries(response.headers), 'set-cookie': response.headers.getSetCookie() },
      body: text,
      rawPayload,
      payload: text,
      json: () => JSON.parse(text) as unknown,
      cookies: response.headers.getSetCookie().map(parseSetCookie),
    } as unknown as LightMyRequestResponse;
  };
}
