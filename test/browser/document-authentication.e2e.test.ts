import { createTestOfficer, type TestOfficer } from '../harness/identity.js';
import {
  type BrowserSuite,
  JOURNEY_TIMEOUT_MS,
  fillForm,
  go,
  openVisitor,
  pathOf,
  type Stack,
  startBrowserSuite,
  signInWithTotp,
} from './harness.js';

/**
 * Document authentication with booking in a real Chromium: an applicant without JavaScript, in
 * English, fills in every step (one of them wrongly first), books an appointment and gets the
 * reference; a Los Angeles officer signs in with TOTP, claims the case from the queue, approves it
 * and marks the documents ready to collect; anyone finds the certificate in the public register,
 * in Traditional Chinese. Every page is audited with axe (WCAG 2.2 AA).
 */
describe('document authentication journey in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let officer: TestOfficer;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack } = suite);
    officer = await createTestOfficer(stack.api, { postCode: 'US-LAX' });
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  it(
    'an applicant books and submits without JavaScript; an officer approves; the register finds the certificate',
    async () => {
      const {
        context: applicantContext,
        page: applicant,
        problems,
        check,
      } = await openVisitor(suite, { javaScriptEnabled: false, locale: 'en-GB', journey: 'legalisation-applicant-nojs-en', lang: 'en' });
      const submit = () => go(applicant, 'main form[method="post"] button[type="submit"]');

      await applicant.goto(`${stack.baseUrl}/`);
      await go(applicant, 'main a[href="/legalisation"]');
      expect(await applicant.textContent('main')).toContain('It does not confirm that what the document says is true.');
      await check('start');
      await go(applicant, 'main a[href="/legalisation/applicant"]');
      await check('applicant');

      // One failed step: the error summary links to each field.
      await fillForm(applicant, {
        givenNames: 'Mei-Ling',
        surname: 'Chen',
        dobDay: '14',
        dobMonth: 'March',
        dobYear: '1988',
        email: 'mei-ling.chen@example.test',
      });
      expect(await submit()).toBe(400);
      expect(
        await applicant.locator('main .error-summary a').evaluateAll((links) => links.map((a) => (a as unknown as { hash: string }).hash)),
      ).toEqual(['#dateOfBirth']);
      expect(await applicant.getAttribute('#dateOfBirth', 'aria-invalid')).toBe('true');
      await check('applicant-error');
      await fillForm(applicant, { dobMonth: '3' });
      await submit();
      expect(pathOf(applicant)).toBe('/legalisation/documents');
      await check('documents-empty');

      await fillForm(applicant, {
        documentType: 'birth_certificate',
        issuingCountry: 'United States',
        originals: '2',
        extraCopies: '1',
        description: 'Birth certificate, 1988',
      });
      await go(applicant, 'main button[value="add"]');
      expect(pathOf(applicant)).toBe('/legalisation/documents');
      expect(await applicant.textContent('main .summary-list')).toContain('Birth certificate, 1988');
      await check('documents-one');
      await go(applicant, 'main button[value="continue"]');
      expect(pathOf(applicant)).toBe('/legalisation/options');
      await check('options');
      await fillForm(applicant, { direction: 'foreign_document_for_use_at_home', serviceLevel: 'express', delivery: 'pickup_at_post' });
      await submit();
      expect(pathOf(applicant)).toBe('/legalisation/post');
      await check('post');
      await fillForm(applicant, { postCode: 'US-LAX' });
      await submit();
      expect(pathOf(applicant)).toBe('/legalisation/appointment');
      expect(await applicant.locator('main fieldset legend').count()).toBe(10);
      await check('appointment');
      const slot = (await applicant.getAttribute('main input[name="slotId"]', 'value'))!;
      await fillForm(applicant, { slotId: slot });
      await submit();
      expect(pathOf(applicant)).toBe('/legalisation/check');
      expect(await applicant.textContent('main')).toContain('TWD 1500');
      await check('check-answers');
      await submit();
      expect(pathOf(applicant)).toBe('/legalisation/confirmation');
      const reference = (await applicant.textContent('#reference'))!.trim();
      expect(reference).toMatch(/^DA-/);
      expect(await applicant.textContent('#fee')).toContain('TWD 1500');
      expect(await applicant.textContent('#appointment')).toContain('09:00');
      await check('confirmation');
      expect(problems).toEqual([]);
      const [{ id: caseId }] = (await stack.dataSource.query(`SELECT id FROM "case" WHERE reference = $1`, [reference])) as {
        id: string;
      }[];

      // The officer: password, TOTP, the queue, claim, approve, then the documents are ready to collect.
      const {
        context: officerContext,
        page: desk,
        problems: deskProblems,
        check: checkDesk,
      } = await openVisitor(suite, { locale: 'en-GB', journey: 'legalisation-officer-en', lang: 'en' });
      const submitDesk = (form = 'main form[method="post"]') => go(desk, `${form} button[type="submit"]`);
      await signInWithTotp({ page: desk, check: checkDesk }, stack.baseUrl, officer);
      await go(desk, 'header nav a[href="/officer/queue"]');
      expect(await desk.textContent('main table')).toContain(reference);
      await checkDesk('queue');
      await submitDesk('main form[action="/officer/queue/claim-next"]');
      expect(pathOf(desk)).toBe(`/officer/cases/${caseId}`);
      expect(await desk.textContent('main')).toContain('Birth certificate, 1988');
      await checkDesk('case-claimed');
      const caseForm = 'main form[action$="/decide"]';
      await fillForm(desk, { action: 'approve' }, caseForm);
      await submitDesk(caseForm);
      expect(desk.url()).toContain('done=approve');
      await checkDesk('case-approved');
      await go(desk, `main a[href="/officer/legalisation/${caseId}"]`);
      await checkDesk('fulfilment');
      await submitDesk();
      expect(await desk.textContent('main .tag')).toBe('Ready to collect');
      await checkDesk('ready-to-collect');
      expect(deskProblems).toEqual([]);

      const [{ certificate_number: certificateNumber, issued_on: issuedOn }] = (await stack.dataSource.query(
        `SELECT certificate_number, authenticated_on::text AS issued_on FROM legalisation_request WHERE case_id = $1`,
        [caseId],
      )) as { certificate_number: string; issued_on: string }[];

      // The register, in the other language.
      const {
        context: verifierContext,
        page: verifier,
        check: checkVerifier,
      } = await openVisitor(suite, { locale: 'zh-TW', journey: 'legalisation-register-zh', lang: 'zh-Hant' });
      await verifier.goto(`${stack.baseUrl}/verify/authentication?lang=zh-Hant`);
      await checkVerifier('register');
      await fillForm(verifier, { certificateNumber, issuedOn: '2020-01-01' });
      await go(verifier, 'main form[method="post"] button[type="submit"]');
      expect(await verifier.textContent('main h1')).toBe('查無此編號及核發日期的驗證證明');
      await checkVerifier('register-not-found');
      await go(verifier, 'main a[href="/verify/authentication"]');
      await fillForm(verifier, { certificateNumber, issuedOn });
      await go(verifier, 'main form[method="post"] button[type="submit"]');
      expect(await verifier.textContent('main h1')).toBe('此驗證證明已登錄');
      expect(await verifier.textContent('main .summary-list')).toContain(certificateNumber);
      await checkVerifier('register-found');

      await applicantContext.close();
      await officerContext.close();
      await verifierContext.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
