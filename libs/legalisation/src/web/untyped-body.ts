import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request body as sent (JSON or a form), for routes whose answers are checked field by field
 * by the eVisa rules (with translated messages) rather than by a DTO class. The global
 * ValidationPipe skips custom decorators, so forms may carry extra fields such as `_csrf`.
 */
export const UntypedBody = createParamDecorator((_data: unknown, context: ExecutionContext): Record<string, unknown> => {
  const body = context.switchToHttp().getRequest<FastifyRequest>().body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
});
