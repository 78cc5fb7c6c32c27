import type { Locale, Translate } from '@app/platform';
import { type AnswerField, SEXES, type StepName } from '../answers.js';
import { type EvisaSettings, portName } from '../settings.js';

export type InputKind = 'text' | 'date' | 'email' | 'tel' | 'radios' | 'select' | 'textarea';

export interface FieldSpec {
  name: AnswerField;
  kind: InputKind;
  label: string;
  hint: string;
  autocomplete?: string;
  width?: string;
  options?: { value: string; label: string }[];
}

/** ISO 3166 alpha-3 → alpha-2, for the country names Intl knows. */
const ALPHA2: Record<string, string> = {
  IND: 'IN',
  IDN: 'ID',
  PHL: 'PH',
  VNM: 'VN',
  THA: 'TH',
  MMR: 'MM',
  KHM: 'KH',
  LAO: 'LA',
  BGD: 'BD',
  PAK: 'PK',
  LKA: 'LK',
  NPL: 'NP',
  BTN: 'BT',
};

/** ICAO 9303's code for an unspecified nationality: the choice for everyone not on the list, who is then told they are not eligible. */
export const OTHER_NATIONALITY = 'XXX';

export function countryName(code: string | null, locale: Locale, t: Translate): string {
  if (!code) return '';
  if (code === OTHER_NATIONALITY) return t('evisa.nationality.other');
  const alpha2 = ALPHA2[code];
  try {
    return alpha2 ? (new Intl.DisplayNames([locale === 'zh-Hant' ? 'zh-Hant-TW' : 'en'], { type: 'region' }).of(alpha2) ?? code) : code;
  } catch {
    return code;
  }
}

/** What each page of the form asks, in order: one topic per page. */
export function fieldsFor(step: StepName, settings: EvisaSettings, locale: Locale, t: Translate): FieldSpec[] {
  const field = (name: AnswerField, kind: InputKind, extra: Partial<FieldSpec> = {}): FieldSpec => ({
    name,
    kind,
    label: t(`evisa.field.${name}`),
    hint: t(`evisa.hint.${name}`) === `evisa.hint.${name}` ? '' : t(`evisa.hint.${name}`),
    ...extra,
  });
  const choices = (values: string[], prefix: string) => values.map((value) => ({ value, label: t(`${prefix}.${value}`) }));
  switch (step) {
    case 'eligibility':
      return [
        field('nationality', 'select', {
          options: [
            { value: '', label: t('evisa.nationality.choose') },
            ...[...settings.eligibleNationalities, OTHER_NATIONALITY].map((value) => ({ value, label: countryName(value, locale, t) })),
          ],
        }),
        field('purpose', 'radios', { options: choices(settings.purposes, 'evisa.purpose') }),
        field('passportType', 'radios', {
          options: choices([...settings.passportTypesAccepted, ...settings.passportTypesRefused], 'evisa.passportType'),
        }),
      ];
    case 'name':
      return [
        field('surname', 'text', { autocomplete: 'family-name' }),
        field('givenNames', 'text', { autocomplete: 'given-name' }),
        field('nativeName', 'text'),
      ];
    case 'personal':
      return [
        field('sex', 'radios', { options: choices([...SEXES], 'evisa.sex') }),
        field('dateOfBirth', 'date', { autocomplete: 'bday' }),
        field('placeOfBirth', 'text'),
      ];
    case 'passport':
      return [
        field('passportNumber', 'text', { width: 'short' }),
        field('issuingAuthority', 'text'),
        field('passportIssueDate', 'date'),
        field('passportExpiryDate', 'date'),
      ];
    case 'contact':
      return [field('email', 'email', { autocomplete: 'email' }), field('phone', 'tel', { autocomplete: 'tel' })];
    case 'travel':
      return [
        field('arrivalDate', 'date'),
        field('portOfEntry', 'radios', {
          options: settings.portsOfEntry.map((p) => ({ value: p.code, label: portName(settings, p.code, locale) })),
        }),
      ];
    case 'stay':
      return [field('stayAddress', 'textarea'), field('occupation', 'text', { autocomplete: 'organization-title' })];
    case 'mrz':
      return [field('mrzLine1', 'text'), field('mrzLine2', 'text')];
  }
}
