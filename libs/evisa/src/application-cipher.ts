import { Injectable } from '@nestjs/common';
import { BlindIndex, FieldCipher } from '@app/platform';
import { ANSWER_FIELDS, type AnswerField, type Answers } from './answers.js';
import type { EvisaApplication } from './entities/evisa-application.entity.js';

/** Choices from fixed lists, stored in clear; every other answer is personal and stored encrypted. */
const PLAIN: ReadonlySet<AnswerField> = new Set(['purpose', 'passportType', 'portOfEntry']);

/**
 * Every property of EvisaApplication that holds personal data: the encrypted answers, the passport
 * number's blind index, the officer's decision text and the seal. Anonymising clears exactly these.
 */
export const PERSONAL_APPLICATION_FIELDS: readonly (keyof EvisaApplication)[] = [
  ...ANSWER_FIELDS.filter((field) => !PLAIN.has(field)),
  'passportNumberIndex',
  'decisionText',
  'seal',
];

export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Seals and opens the personal columns of `evisa_application`, each bound to its column and case. */
@Injectable()
export class ApplicationCipher {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  seal(caseId: string, column: string, value: string): string {
    return this.cipher.encrypt(value, `evisa_application.${column}:${caseId}`);
  }

  open(caseId: string, column: string, value: string | null): string | null {
    return value === null ? null : this.cipher.decrypt(value, `evisa_application.${column}:${caseId}`);
  }

  /** For rows of other eVisa tables, e.g. `evisa_information_request.message:<requestId>`. */
  sealIn(table: string, column: string, rowId: string, value: string): string {
    return this.cipher.encrypt(value, `${table}.${column}:${rowId}`);
  }

  openIn(table: string, column: string, rowId: string, value: string | null): string | null {
    return value === null ? null : this.cipher.decrypt(value, `${table}.${column}:${rowId}`);
  }

  /** A rate-limit key for something that must not sit in Redis in clear (a case reference). */
  rateLimitKey(value: string): string {
    return this.blindIndex.of('rate-limit', value);
  }

  passportIndex(passportNumber: string): string {
    return this.blindIndex.of('passport', passportNumber);
  }

  /** The entity columns to write for some answers: ciphertext, or plain text for fixed choices. */
  columnsFor(caseId: string, answers: Partial<Answers>): Partial<EvisaApplication> {
    const columns: Record<string, string | null> = {};
    for (const [field, value] of Object.entries(answers) as [AnswerField, string | null][]) {
      columns[field] = value === null || PLAIN.has(field) ? value : this.seal(caseId, columnOf(field), value);
      if (field === 'passportNumber') columns.passportNumberIndex = value === null ? null : this.passportIndex(value);
    }
    return columns as Partial<EvisaApplication>;
  }

  answersOf(application: EvisaApplication): Answers {
    const answers = {} as Answers;
    for (const field of ANSWER_FIELDS) {
      const stored = application[field];
      answers[field] = PLAIN.has(field) ? stored : this.open(application.caseId, columnOf(field), stored);
    }
    return answers;
  }
}
