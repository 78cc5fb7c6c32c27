// The baseline for framework overhead: the same constant route on bare Fastify, no Nest, sending
// the same response (the same security headers and request-id header), so the difference is the framework.
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { securityHeaders } from '../../dist/libs/platform/src/web/security-headers.js';

const headers = securityHeaders({ env: process.env.NODE_ENV ?? 'production' });
const app = Fastify({ logger: false });
app.get('/health/live', async (_request, reply) => {
  for (const [name, value] of headers) reply.header(name, value);
  reply.header('x-request-id', randomUUID());
  return { status: 'ok' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
