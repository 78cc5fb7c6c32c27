import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainException } from '@app/platform';
import { PassportErrors } from '../errors.js';

export interface PassportMultipart {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

/**
 * Reads a multipart/form-data body into memory within the limits registered in bootstrap. Too large
 * a file ends in @fastify/multipart's 413; a file input left empty by a browser is skipped.
 */
export async function readPassportMultipart(request: FastifyRequest): Promise<PassportMultipart> {
  if (!request.isMultipart())
    throw new DomainException(PassportErrors.PASSPORT_NOT_MULTIPART, 'Send the application as multipart/form-data.');
  const body: PassportMultipart = { fields: {}, files: {} };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (!part.filename && bytes.length === 0) continue;
        body.files[part.fieldname] = bytes;
      } else {
        body.fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if (typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
    throw new DomainException(PassportErrors.PASSPORT_NOT_MULTIPART, 'The upload was cut short or is not valid multipart/form-data.');
  }
  return body;
}
