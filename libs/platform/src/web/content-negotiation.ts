import type { FastifyRequest } from 'fastify';

/**
 * Page routes answer browsers with HTML; the API, the probes and static assets answer JSON whatever
 * the Accept header says (an asset request has no locale or template context for an error page).
 */
export function wantsHtml(request: FastifyRequest): boolean {
  const url = request.url;
  if (url.startsWith('/api/') || url.startsWith('/health') || url === '/metrics' || url.startsWith('/static/')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}
