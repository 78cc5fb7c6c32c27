import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { icaoCheckDigit } from '@app/platform';
import { addDays, todayIn } from '@app/evisa';
import type { Inject } from '../harness/http.js';

export type { Inject } from '../harness/http.js';

export function injector(app: NestFastifyApplication): Inject {
  return (options) => app.getHttpAdapter().getInstance().inject(options);
}

/**
 * Like a browser that has loaded one of the site's pages: every post carries the anonymous CSRF
 * cookie and token (as the X-CSRF-Token header, which the forms' `_csrf` field stands for). Takes
 * the application, or an Inject such as httpInjector's for a server in another process.
 */
export async function browserInjector(target: NestFastifyApplication | Inject): Promise<Inject> {
  const inject = typeof target === 'function' ? target : injector(target);
  const visit = await inject({ method: 'GET', url: '/evisa/eligibility', headers: { accept: 'text/html' } });
  const token = /name="_csrf" value="([^"]+)"/.exec(visit.body)?.[1];
  const csrfCookie = visit.cookies.find((c) => c.name.toLowerCase().includes('csrf'));
  if (!token || !csrfCookie) throw new Error('the eligibility page gave no CSRF token');
  return (options) => {
    const headers = (options.headers ?? {}) as Record<string, string>;
    if ((options.method ?? 'GET') === 'GET') return inject(options);
    const jar = `${headers.cookie ? `${headers.cookie}; ` : ''}${csrfCookie.name}=${csrfCookie.value}`;
    return inject({ ...options, headers: { ...headers, cookie: jar, 'x-csrf-token': token } });
  };
}

export const today = (): string => todayIn('Asia/Taipei', new Date());

/** A complete, valid set of answers, by step, with dates relative to today. */
export function applicantAnswers() {
  return {
    eligibility: { nationality: 'PHL', purpose: 'tourism', passportType: 'ordinary' },
    name: { surname: 'Dela Cruz', givenNames: 'Maria Clara', nativeName: '' },
    personal: { sex: 'F', dateOfBirth: '1990-04-27', placeOfBirth: 'Quezon City' },
    passport: {
      passportNumber: 'P1234567A',
      issuingAuthority: 'DFA Manila',
      passportIssueDate: '2020-01-15',
      passportExpiryDate: addDays(today(), 5 * 365),
    },
    contact: { email: 'maria@example.test', phone: '+63 917 123 4567' },
    travel: { arrivalDate: addDays(today(), 30), portOfEntry: 'TPE' },
    stay: { stayAddress: 'Grand Hotel, 1 Zhongshan N. Rd, Taipei', occupation: 'Teacher' },
  };
}

/** The two TD3 lines a passport with these details would carry, with correct check digits. */
export function td3For(a: {
  surname: string;
  givenNames: string;
  number: string;
  nationality: string;
  dob: string;
  sex: string;
  expiry: string;
}) {
  const name = `${a.surname.toUpperCase().replace(/[\s-]+/g, '<')}<<${a.givenNames.toUpperCase().replace(/[\s-]+/g, '<')}`;
  const line1 = `P<${a.nationality}${name}`.padEnd(44, '<');
  const number = a.number.padEnd(9, '<');
  const dob = a.dob.slice(2).replace(/-/g, '');
  const expiry = a.expiry.slice(2).replace(/-/g, '');
  const personal = '<'.repeat(14);
  const body = `${number}${icaoCheckDigit(number)}${a.nationality}${dob}${icaoCheckDigit(dob)}${a.sex === 'X' ? '<' : a.sex}${expiry}${icaoCheckDigit(expiry)}${personal}0`;
  const composite = body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43);
  return { mrzLine1: line1, mrzLine2: `${body}${icaoCheckDigit(composite)}` };
}

export function matchingMrz() {
  const a = applicantAnswers();
  return td3For({
    surname: a.name.surname,
    givenNames: a.name.givenNames,
    number: a.passport.passportNumber,
    nationality: 'PHL',
    dob: a.personal.dateOfBirth,
    sex: 'F',
    expiry: a.passport.passportExpiryDate,
  });
}

/** A passport-style photo (35:45) carrying EXIF, with a GPS position and an owner's name. */
export async function photoWithExif(width = 700, height = 900): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#8fa3c0' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'Maria Clara Dela Cruz' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '25/1 2/1 0/1' } })
    .toBuffer();
}

export async function pngPage(): Promise<Buffer> {
  return sharp({ create: { width: 1000, height: 700, channels: 3, background: '#eeeeee' } })
    .png()
    .toBuffer();
}

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  contentType?: string;
  data?: Buffer;
}

export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----evisa${randomUUID()}`;
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

export function errorOf(response: LightMyRequestResponse): {
  code: string;
  message: string;
  details?: { field: string; messages: string[] }[];
} {
  const body = JSON.parse(response.body) as {
    error: { code: string; message: string; correlationId: string; details?: { field: string; messages: string[] }[] };
  };
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.correlationId).toBe('string');
  return body.error;
}

export function expectNoInlineScript(html: string): void {
  expect(html.match(/<script\b/gi) ?? []).toEqual([]);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
}

/** Opens a draft through the API and answers every step; returns its token and case id. */
export async function completeDraft(
  inject: Inject,
  options: { mrz?: boolean } = {},
): Promise<{ token: string; caseId: string; reference: string }> {
  const answers = applicantAnswers();
  const opened = await inject({ method: 'POST', url: '/api/v1/evisa/drafts', payload: answers.eligibility });
  expect(opened.statusCode).toBe(201);
  const { draftToken: token, caseId, reference } = opened.json() as { draftToken: string; caseId: string; reference: string };
  const steps: Record<string, Record<string, string>> = {
    name: answers.name,
    personal: answers.personal,
    passport: answers.passport,
    contact: answers.contact,
    travel: answers.travel,
    stay: answers.stay,
  };
  if (options.mrz !== false) steps.mrz = matchingMrz();
  for (const [step, payload] of Object.entries(steps)) {
    const saved = await inject({ method: 'PUT', url: `/api/v1/evisa/draft/answers/${step}`, headers: { 'x-draft-token': token }, payload });
    expect([step, saved.statusCode, saved.statusCode === 200 ? '' : saved.body]).toEqual([step, 200, '']);
  }
  const photo = multipart([{ name: 'file', filename: 'me.jpg', contentType: 'image/jpeg', data: await photoWithExif() }]);
  expect(
    (
      await inject({
        method: 'POST',
        url: '/api/v1/evisa/draft/files/photo',
        headers: { ...photo.headers, 'x-draft-token': token },
        payload: photo.payload,
      })
    ).statusCode,
  ).toBe(201);
  const page = multipart([{ name: 'file', filename: 'passport.png', contentType: 'image/png', data: await pngPage() }]);
  expect(
    (
      await inject({
        method: 'POST',
        url: '/api/v1/evisa/draft/files/passport-page',
        headers: { ...page.headers, 'x-draft-token': token },
        payload: page.payload,
      })
    ).statusCode,
  ).toBe(201);
  return { token, caseId, reference };
}

/** Pays with a sandbox card through the API; returns the payment as the API shows it. */
export async function pay(inject: Inject, token: string, card: string, key = `pay-${randomUUID()}`) {
  const created = await inject({
    method: 'POST',
    url: '/api/v1/evisa/draft/payments',
    headers: { 'x-draft-token': token, 'idempotency-key': key },
  });
  expect(created.statusCode).toBe(201);
  const payment = created.json() as { paymentId: string; providerReference: string; redirectUrl: string; status: string };
  const charged = await inject({
    method: 'POST',
    url: `/api/v1/evisa/sandbox/payments/${payment.providerReference}/card`,
    payload: { cardNumber: card },
  });
  expect(charged.statusCode).toBe(200);
  return { ...payment, key, outcome: (charged.json() as { status: string }).status };
}

/** A complete, paid, submitted application. */
export async function submittedApplication(inject: Inject): Promise<{ token: string; caseId: string; reference: string }> {
  const draft = await completeDraft(inject);
  await pay(inject, draft.token, '4242 4242 4242 4242');
  const submitted = await inject({
    method: 'POST',
    url: '/api/v1/evisa/draft/submit',
    headers: { 'x-draft-token': draft.token, 'idempotency-key': `submit-${randomUUID()}` },
  });
  expect(submitted.statusCode).toBe(200);
  return draft;
}
