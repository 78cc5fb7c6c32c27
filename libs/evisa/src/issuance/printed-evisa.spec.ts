import type { EvisaDocumentData } from '../officer-actions.service.js';
import { printedEvisa, type PrintContext } from './printed-evisa.js';

const source: EvisaDocumentData = {
  caseId: '00000000-0000-4000-8000-000000000001',
  reference: 'EV-7K3M-9QXP',
  status: 'APPROVED',
  locale: 'zh-Hant',
  postCode: 'PH-MNL',
  visaNumber: 'EV0000042',
  visaNumberCheckDigit: 2,
  surname: 'DELA CRUZ',
  givenNames: 'MARIA CLARA',
  nativeName: null,
  sex: 'F',
  dateOfBirth: '1990-04-27',
  placeOfBirth: 'Quezon City',
  nationality: 'PHL',
  passportNumber: 'P1234567A',
  passportType: 'ordinary',
  passportExpiryDate: '2031-05-01',
  purpose: 'business',
  portOfEntry: 'TPE',
  entries: 'single',
  stayDays: 30,
  validFrom: '2026-01-15',
  validUntil: '2026-04-15',
  approvedAt: new Date('2026-01-15T03:00:00Z'),
  photoFileId: '00000000-0000-4000-8000-000000000002',
};

const context: PrintContext = {
  photo: Buffer.from('photo'),
  post: { code: 'PH-MNL', nameEn: 'Taipei Economic and Cultural Office in the Philippines', nameZh: '駐菲律賓代表處' },
  verificationUrl: 'https://consular.example.gov/verify',
  issueDate: '2026-01-15',
};

describe('printedEvisa', () => {
  it('maps the decrypted application to what the PDF prints', () => {
    expect(printedEvisa(source, context)).toEqual({
      locale: 'zh-Hant',
      visaNumber: 'EV0000042',
      surname: 'DELA CRUZ',
      givenNames: 'MARIA CLARA',
      nativeName: undefined,
      sex: 'F',
      dateOfBirth: '1990-04-27',
      placeOfBirth: 'Quezon City',
      nationality: 'PHL',
      passportNumber: 'P1234567A',
      passportExpiry: '2031-05-01',
      purpose: 'business',
      entries: 'single',
      durationOfStayDays: 30,
      validFrom: '2026-01-15',
      validUntil: '2026-04-15',
      issueDate: '2026-01-15',
      issuingPost: context.post,
      photo: context.photo,
      verificationUrl: 'https://consular.example.gov/verify',
    });
  });

  it('refuses values the eVisa cannot print, without repeating personal ones', () => {
    expect(() => printedEvisa({ ...source, purpose: 'study' }, context)).toThrow(/purpose "study" has no visa type code/);
    expect(() => printedEvisa({ ...source, entries: 'double' }, context)).toThrow(/entries/);
    const badSex = () => printedEvisa({ ...source, sex: 'Q' as never }, context);
    expect(badSex).toThrow(/sex is not one of F, M, X/);
    expect(badSex).not.toThrow(/Q/);
  });
});
