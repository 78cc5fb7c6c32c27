import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainException, registerErrorCodes } from '../errors/domain-exception.js';

export const MultipartErrors = registerErrorCodes({ NOT_MULTIPART: 415, MULTIPART_MALFORMED: 400 });

export interface UploadedFile {
  /** The form field the file came in. */
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/**
 * Reads a multipart/form-data body into memory within the limits registered in bootstrap (file
 * size, number of files and fields). Too large a file ends in @fastify/multipart's 413. A file
 * input left empty by a browser (no name, no bytes) is skipped.
 */
export async function readMultipart(request: FastifyRequest): Promise<MultipartBody> {
  if (!request.isMultipart()) throw new DomainException(MultipartErrors.NOT_MULTIPART, 'Send the form as multipart/form-data.');
  const body: MultipartBody = { fields: {}, files: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (!part.filename && bytes.length === 0) continue;
        body.files.push({ field: part.fieldname, filename: part.filename, bytes });
      } else {
        body.fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    // The limits' errors (413 and the like) say what went wrong; a body the parser cannot read is the sender's fault.
    if (typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
    throw new DomainException(
      MultipartErrors.MULTIPART_MALFORMED,
      'The upload was cut short or is not valid multipart/form-data. Try again.',
    );
  }
  return body;
}
