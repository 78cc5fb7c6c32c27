import type { FastifyRequest } from 'fastify';

/** Page routes answer browsers with HTML; everything under /api answers JSON whatever the Accept header says. */
export function wantsHtml(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/health') || request.url === '/metrics') return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}
