import type { FastifyReply, FastifyRequest } from 'fastify';

/** The browser holds only signed tokens, HttpOnly and scoped to the eVisa pages: never personal data. */
export const DRAFT_COOKIE = 'evisa_draft';
export const APPLICANT_COOKIE = 'evisa_case';

export function setTokenCookie(reply: FastifyReply, name: string, token: string, maxAgeSeconds: number, secure: boolean): void {
  reply.setCookie(name, token, { path: '/evisa', httpOnly: true, sameSite: 'lax', secure, maxAge: maxAgeSeconds });
}

export function clearTokenCookie(reply: FastifyReply, name: string): void {
  reply.clearCookie(name, { path: '/evisa' });
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  return request.cookies?.[name];
}
