import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { DataSource } from 'typeorm';

export type Inject = (options: InjectOptions) => Promise<LightMyRequestResponse>;

export function injector(app: NestFastifyApplication): Inject {
  return (options) => app.getHttpAdapter().getInstance().inject(options);
}

let address = 0;
/** A fresh client address, so that per-IP limits of one test do not reach another. */
export const freshIp = (): string => `203.0.113.${(++address % 250) + 1}`;

/** A 35:45 portrait large enough to print, with EXIF that must not reach storage. */
export function photo(width = 700, height = 900, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: '#d8e0e8' } }).withMetadata({
    exif: { IFD0: { Make: 'SecretCam', Model: 'GPS-1' } },
  });
  return (format === 'png' ? image.png() : image.jpeg()).toBuffer();
}

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  contentType?: string;
  data?: Buffer;
}

export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----passport${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if (part.filename !== undefined) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(part.data ?? Buffer.alloc(0));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value ?? ''}`));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export function application(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'renewal',
    surname: 'Lin',
    givenNames: 'Yu-Ting',
    chineseName: '林雨婷',
    sex: 'F',
    dateOfBirth: '1990-05-20',
    placeOfBirth: 'Taichung',
    nationalId: 'A123456789',
    email: 'yu-ting.lin@example.test',
    phone: '+1 213 555 0101',
    locale: 'en',
    postCode: 'US-LAX',
    previousPassportNumber: '312345678',
    ...overrides,
  };
}

export async function submit(
  inject: Inject,
  body: Record<string, unknown>,
  options: { photo?: Buffer | null; filename?: string; headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  const parts: Part[] = [{ name: 'application', value: JSON.stringify(body) }];
  const image = options.photo === undefined ? await photo() : options.photo;
  if (image) parts.push({ name: 'photo', filename: options.filename ?? 'me.jpg', contentType: 'image/jpeg', data: image });
  const { payload, headers } = multipart(parts);
  return inject({
    method: 'POST',
    url: '/api/v1/passports/applications',
    payload,
    headers: { ...headers, ...options.headers },
    remoteAddress: options.remoteAddress ?? freshIp(),
  });
}

export async function submitted(inject: Inject, overrides: Record<string, unknown> = {}) {
  const response = await submit(inject, application(overrides));
  if (response.statusCode !== 201) throw new Error(`submit: ${response.statusCode} ${response.body}`);
  return JSON.parse(response.body) as {
    caseId: string;
    reference: string;
    status: string;
    postCode: string;
    fee: { ageBand: string; validityYears: number; amount: number; currency: string };
  };
}

/** Rows in every table a submission writes, to show that a refused one wrote nothing. */
export async function rowCounts(app: NestFastifyApplication): Promise<Record<string, number>> {
  const [row] = (await app.get(DataSource).query(
    `SELECT (SELECT count(*) FROM "case" WHERE service = 'passport')::int AS cases,
            (SELECT count(*) FROM passport_application)::int AS applications,
            (SELECT count(*) FROM file WHERE kind = 'passport-photo')::int AS photos`,
  )) as Record<string, number>[];
  return row!;
}
