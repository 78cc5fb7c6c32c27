// Data for the benchmarks, made with the application's own compiled services (dist/), built by hand
// as the CLIs do: officers with personal access tokens, complete and paid eVisa drafts, and cases in
// bulk. Nothing here is measured; it only prepares what the measured requests need.
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { ROOT } from '../../scripts/lib/stack.mjs';

const dist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);

/** The same applicant answers as test/evisa/helpers.ts, with dates relative to today. */
export function applicantAnswers(evisa, platform) {
  const today = evisa.todayIn('Asia/Taipei', new Date());
  const answers = {
    nationality: 'PHL',
    purpose: 'tourism',
    passportType: 'ordinary',
    surname: 'Dela Cruz',
    givenNames: 'Maria Clara',
    nativeName: '',
    sex: 'F',
    dateOfBirth: '1990-04-27',
    placeOfBirth: 'Quezon City',
    passportNumber: 'P1234567A',
    issuingAuthority: 'DFA Manila',
    passportIssueDate: '2020-01-15',
    passportExpiryDate: evisa.addDays(today, 5 * 365),
    email: 'maria@example.test',
    phone: '+63 917 123 4567',
    arrivalDate: evisa.addDays(today, 30),
    portOfEntry: 'TPE',
    stayAddress: 'Grand Hotel, 1 Zhongshan N. Rd, Taipei',
    occupation: 'Teacher',
  };
  const check = platform.icaoCheckDigit;
  const name = 'DELA<CRUZ<<MARIA<CLARA';
  const number = answers.passportNumber.padEnd(9, '<');
  const dob = answers.dateOfBirth.slice(2).replace(/-/g, '');
  const expiry = answers.passportExpiryDate.slice(2).replace(/-/g, '');
  const body = `${number}${check(number)}PHL${dob}${check(dob)}F${expiry}${check(expiry)}${'<'.repeat(14)}0`;
  const composite = body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43);
  return { ...answers, mrzLine1: `P<PHL${name}`.padEnd(44, '<'), mrzLine2: `${body}${check(composite)}` };
}

/** A field cipher that stores values in clear, for the "encryption off" side of the encryption benchmark. */
export function plaintextCipher(FieldCipher) {
  const cipher = Object.create(FieldCipher.prototype);
  cipher.encrypt = (plaintext) => `plain.${plaintext}`;
  cipher.decrypt = (stored) => stored.slice('plain.'.length);
  return cipher;
}

export async function openFixtures(env) {
  const platform = await dist('libs/platform/src/index.js');
  const cases = await dist('libs/cases/src/index.js');
  const schema = await dist('libs/schema/src/index.js');
  const identity = await dist('libs/identity/src/index.js');
  const audit = await dist('libs/audit/src/index.js');
  const evisa = await dist('libs/evisa/src/index.js');
  const config = platform.loadConfig({ ...process.env, ...env });
  const dataSource = new DataSource(schema.dataSourceOptions(config.databaseUrl, 10));
  await dataSource.initialize();
  const clock = new platform.SystemClock();
  const cipher = new platform.FieldCipher(config.crypto.fieldKeys, config.crypto.activeFieldKeyId);
  const blindIndex = new platform.BlindIndex(config.crypto.blindIndexKey);
  const tokens = new platform.SignedTokens(config.crypto.linkSigningKey);
  const outbox = new cases.OutboxWriter();
  const spine = new cases.CaseSpine(cipher, blindIndex, outbox);
  const plainSpine = new cases.CaseSpine(plaintextCipher(platform.FieldCipher), blindIndex, outbox);
  const auditLog = new audit.AuditLog(clock);
  const officers = new identity.OfficerService(
    dataSource,
    new identity.PasswordHasher(),
    new identity.SessionService(dataSource, clock),
    auditLog,
    clock,
  );
  const accessTokens = new identity.AccessTokenService(dataSource, auditLog, clock);
  const files = new platform.FileService(new platform.LocalDirectoryStorage(config.storageDir));
  const answers = applicantAnswers(evisa, platform);
  // A passport photo (35:45, no metadata) and a passport page, as the upload step would have stored them.
  const photo = await sharp({ create: { width: 700, height: 900, channels: 3, background: '#8fa3c0' } })
    .jpeg()
    .toBuffer();
  const page = await sharp({ create: { width: 1000, height: 700, channels: 3, background: '#eeeeee' } })
    .png()
    .toBuffer();
  const [{ code: evisaPost }] = await dataSource.query(
    `SELECT code FROM post WHERE country = 'PHL' AND 'evisa' = ANY(services) ORDER BY kind, code LIMIT 1`,
  );
  let bulkSequence = 0;

  async function parallel(count, concurrency, fn) {
    const results = new Array(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count) {
          const i = next++;
          results[i] = await fn(i);
        }
      }),
    );
    return results;
  }

  return {
    config,
    dataSource,
    evisaPost,
    answers,
    lookupKey: (reference, surname, dateOfBirth) => spine.lookupKey(reference, surname, dateOfBirth),

    /** Officers at a post, each with a personal access token (as `Authorization: Bearer`), made by the identity services. */
    async officersWithTokens(count, { postCode, roles = ['officer'] }) {
      return parallel(count, 4, async () => {
        const username = `bench.${randomUUID().slice(0, 12)}`;
        const officer = await dataSource.transaction((manager) =>
          officers.create(
            manager,
            {
              username,
              displayName: `Bench ${username.slice(6, 10)}`,
              email: null,
              postCode,
              roles,
              password: `bench passphrase ${randomUUID()}`,
              mustChangePassword: false,
            },
            { type: 'system', id: 'bench' },
          ),
        );
        const [post] = await dataSource.query(`SELECT kind FROM post WHERE code = $1`, [postCode]);
        const authenticated = {
          id: officer.id,
          username: officer.username,
          displayName: officer.displayName,
          roles: officer.roles,
          postCode,
          seesAllPosts: identity.seesAllPosts(post.kind, officer.roles),
        };
        const { token } = await dataSource.transaction((manager) =>
          accessTokens.create(manager, authenticated, { name: 'bench', days: 1 }, null),
        );
        return { id: officer.id, token, postCode };
      });
    },

    /**
     * Complete, paid eVisa drafts, as an applicant leaves them just before pressing submit: the case
     * (DRAFT) and its opening event through the case spine, every answer sealed by ApplicationCipher,
     * the photo and passport page stored, a successful payment. Returns the draft tokens.
     * With `plaintext`, answers are stored with the clear-text cipher (the encryption-off API).
     */
    async completeDrafts(count, { plaintext = false } = {}) {
      const appCipher = new evisa.ApplicationCipher(plaintext ? plaintextCipher(platform.FieldCipher) : cipher, blindIndex);
      const caseSpine = plaintext ? plainSpine : spine;
      return parallel(count, 8, async () => {
        const caseId = await dataSource.transaction(async (manager) => {
          const opened = await caseSpine.openCase(manager, {
            service: 'evisa',
            status: 'DRAFT',
            postCode: evisaPost,
            locale: 'en',
            actor: { type: 'applicant' },
            event: { type: 'evisa.draft_started', visibility: 'internal' },
          });
          const stored = async (bytes, kind, allowedTypes) =>
            (await files.store(manager, { bytes, kind, caseId: opened.id, allowedTypes, maxBytes: 10 * 1_048_576 })).id;
          const now = new Date();
          await manager.insert(evisa.EvisaApplication, {
            caseId: opened.id,
            ...appCipher.columnsFor(opened.id, answers),
            photoFileId: await stored(photo, 'evisa-photo', ['image/jpeg']),
            passportPageFileId: await stored(page, 'evisa-passport-page', ['image/png']),
            createdAt: now,
            updatedAt: now,
          });
          const key = `bench-${randomUUID()}`;
          await manager.insert(evisa.EvisaPayment, {
            id: randomUUID(),
            caseId: opened.id,
            amount: 1632,
            currency: 'TWD',
            provider: 'sandbox',
            providerReference: `sbx_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`,
            status: 'succeeded',
            idempotencyKey: key,
            createdAt: now,
            updatedAt: now,
          });
          return opened.id;
        });
        return tokens.sign(evisa.DRAFT_TOKEN_PURPOSE, caseId, 24 * 3600);
      });
    },

    /**
     * Cases in bulk with one INSERT … SELECT generate_series (then ANALYZE): `count` cases of `service`
     * in `status`, spread over `postCodes`, priorities 1–4 and SLA due times over the next weeks.
     * They have no events (the queue and claims do not read them). Returns the number inserted.
     */
    async bulkCases(count, { service = 'passport', status = 'SUBMITTED', postCodes, prefix = 'PP' }) {
      const first = bulkSequence;
      bulkSequence += count;
      await dataSource.query(
        `INSERT INTO "case" (reference, service, status, post_code, priority, locale, sla_due_at, submitted_at, version, event_count, created_at, updated_at)
         SELECT $1 || '-' || lpad(((g / 10000) % 10000)::text, 4, '0') || '-' || lpad((g % 10000)::text, 4, '0') || '-' || (g / 100000000)::text,
                $2, $3, ($4::text[])[1 + g % cardinality($4::text[])], 1 + (g * 7) % 4, 'en',
                now() + ((g * 7919) % 1209600) * interval '1 second', now() - interval '1 day', 1, 0, now(), now()
           FROM generate_series($5::bigint, $6::bigint) g`,
        [`X${prefix}`, service, status, postCodes, first, first + count - 1],
      );
      await dataSource.query(`ANALYZE "case"`);
      return count;
    },

    /**
     * Cases opened through the case spine with an applicant e-mail address and an applicant-visible
     * opening event, so each one writes the outbox row of one notification. Returns their ids.
     */
    async casesToNotify(count, { postCode = 'GB-LON' } = {}) {
      return parallel(count, 8, (i) =>
        dataSource.transaction(async (manager) => {
          const opened = await spine.openCase(manager, {
            service: 'passport',
            status: 'SUBMITTED',
            postCode,
            locale: 'en',
            applicant: { name: `Bench Applicant ${i}`, email: `applicant.${randomUUID().slice(0, 8)}@bench.invalid` },
            actor: { type: 'applicant' },
            event: { visibility: 'applicant' },
          });
          return opened.id;
        }),
      );
    },

    /**
     * What the worker printed for an issued eVisa case, and its stored seal: the same document data the
     * render handler builds (decrypted answers, photo, issuing post), for rendering it again elsewhere.
     */
    async printedDocument(caseId) {
      const record = await spine.load(dataSource.manager, caseId);
      const application = await dataSource.manager.findOneByOrFail(evisa.EvisaApplication, { caseId });
      const appCipher = new evisa.ApplicationCipher(cipher, blindIndex);
      const a = appCipher.answersOf(application);
      const source = {
        caseId,
        reference: record.reference,
        status: record.status,
        locale: record.locale,
        postCode: record.postCode,
        visaNumber: application.visaNumber,
        visaNumberCheckDigit: platform.icaoCheckDigit(application.visaNumber),
        surname: a.surname,
        givenNames: a.givenNames ?? '',
        nativeName: a.nativeName,
        sex: a.sex,
        dateOfBirth: a.dateOfBirth,
        placeOfBirth: a.placeOfBirth,
        nationality: a.nationality,
        passportNumber: a.passportNumber,
        passportType: a.passportType,
        passportExpiryDate: a.passportExpiryDate,
        purpose: a.purpose,
        portOfEntry: a.portOfEntry,
        entries: application.entries,
        stayDays: application.stayDays,
        validFrom: application.validFrom,
        validUntil: application.validUntil,
        approvedAt: record.decidedAt,
        photoFileId: application.photoFileId,
      };
      const [post] = await dataSource.query(`SELECT code, name_en, name_zh FROM post WHERE code = $1`, [record.postCode]);
      const photoFile = await dataSource.manager.findOneByOrFail(platform.FileRecord, { id: application.photoFileId });
      const data = evisa.printedEvisa(source, {
        photo: await files.read(photoFile),
        post: { code: post.code, nameEn: post.name_en, nameZh: post.name_zh },
        verificationUrl: `${config.publicBaseUrl}/verify`,
        issueDate: evisa.todayIn('Asia/Taipei', record.decidedAt),
      });
      const seal = Buffer.from(appCipher.open(caseId, 'seal', application.seal), 'base64');
      const [stored] = await dataSource.query(
        `SELECT f.sha256 FROM generated_document d JOIN file f ON f.id = d.file_id WHERE d.case_id = $1 AND d.kind = 'evisa'`,
        [caseId],
      );
      return { data, seal, sha256: stored?.sha256 };
    },

    async close() {
      await dataSource.destroy();
    },
  };
}
