import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BlindIndex, FieldCipher } from '@app/platform';
import type { CaseRecord } from '@app/cases';
import { CaseSpine, OutboxWriter } from '@app/cases';
import { initialStatusOf, machineOf, testCatalogue } from './catalogue.js';

/** A CaseSpine wired by hand with throwaway keys, for tests that need no HTTP. */
export function testSpine(): CaseSpine {
  return new CaseSpine(
    new FieldCipher(new Map([['k1', randomBytes(32)]]), 'k1'),
    new BlindIndex(randomBytes(32)),
    new OutboxWriter(),
    testCatalogue(),
  );
}

export async function openTestCase(
  spine: CaseSpine,
  manager: EntityManager,
  service = 'passport',
  postCode = 'US-LAX',
): Promise<CaseRecord> {
  return spine.openCase(manager, {
    machine: machineOf(service),
    status: initialStatusOf(service),
    postCode,
    locale: 'en',
    applicant: { name: 'CHEN Mei-Ling', email: 'mei@example.test', phone: '+12135550100' },
    lookup: { surname: 'CHEN', dateOfBirth: '1990-04-01' },
    actor: { type: 'applicant' },
  });
}
