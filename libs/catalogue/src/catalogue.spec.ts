import { Test } from '@nestjs/testing';
import type { EntityManager } from 'typeorm';
import {
  type CaseSpine,
  definitionProblems,
  ServiceCatalogueModule,
  defineService,
  generateReference,
  ServiceCatalogue,
  type ServiceDefinition,
} from '@app/cases';
import { evisaMachine, EVISA_SERVICE } from '@app/evisa';
import { loadCatalogues, Messages } from '@app/platform';
import { SERVICE_CATALOGUE } from './index.js';

const messages = new Messages(loadCatalogues());

class NoPersonalData {
  async erase(): Promise<void> {}
  async export(): Promise<Record<string, unknown>> {
    return {};
  }
}

describe('the service catalogue', () => {
  it('holds complete definitions: prefixes, statuses, ports and every message in both languages', () => {
    expect(definitionProblems(SERVICE_CATALOGUE, messages)).toEqual([]);
    expect(new ServiceCatalogue(SERVICE_CATALOGUE, []).ids()).toEqual(['evisa', 'passport', 'legalisation', 'abtc', 'emergency']);
  });

  it('refuses to start with an incomplete definition, naming every problem at once', () => {
    const broken = {
      ...EVISA_SERVICE,
      id: 'visa-on-arrival',
      referencePrefix: 'EV',
      essentialStatuses: ['GRANTED'],
      ports: { ...EVISA_SERVICE.ports, personalData: undefined, review: null },
    } as unknown as ServiceDefinition;
    const problems = definitionProblems([EVISA_SERVICE, broken], messages);
    expect(problems).toEqual([
      'service "visa-on-arrival": reference prefix EV is taken',
      'service "visa-on-arrival": its state machine is for "evisa"',
      'service "visa-on-arrival": essential status GRANTED is not in its machine',
      'service "visa-on-arrival": no personal-data port (retention and subject access need one)',
      'service "visa-on-arrival": its cases wait for officers but it has no review port',
      'service "visa-on-arrival": job "render-evisa" is declared twice',
      'service "visa-on-arrival": job "send-draft-resume-link" is declared twice',
      'service "visa-on-arrival": job "requeue-lost-renders" is declared twice',
      expect.stringMatching(/^service "visa-on-arrival": no en message for service\.visa-on-arrival\.name, /),
      expect.stringMatching(/^service "visa-on-arrival": no zh-Hant message for service\.visa-on-arrival\.name, /),
    ]);
    expect(() => new ServiceCatalogue([EVISA_SERVICE, broken], [], undefined, messages)).toThrow(
      /^refusing to start: the service catalogue is incomplete:\n {2}- service "visa-on-arrival": reference prefix EV is taken/,
    );
  });

  it('refuses to start when a port its process needs has no provider', async () => {
    const api = await Test.createTestingModule({
      imports: [ServiceCatalogueModule.forRoot([EVISA_SERVICE], ['personalData', 'review'])],
    }).compile();
    await expect(api.init()).rejects.toThrow(
      'refusing to start: service "evisa": EvisaPersonalData (personalData) is not provided by its module; ' +
        'service "evisa": EvisaReviewIntegration (review) is not provided by its module',
    );
    await api.close();
    const lenient = await Test.createTestingModule({ imports: [ServiceCatalogueModule.forRoot([EVISA_SERVICE], [])] }).compile();
    await expect(lenient.init()).resolves.toBe(lenient);
    expect(lenient.get(ServiceCatalogue).review('evisa')).toBeNull();
    await lenient.close();
  });

  it('reads references by the prefixes of the services it holds', () => {
    const catalogue = new ServiceCatalogue(SERVICE_CATALOGUE, []);
    const withoutEvisa = new ServiceCatalogue(
      SERVICE_CATALOGUE.filter((s) => s.id !== 'evisa'),
      [],
    );
    for (const service of SERVICE_CATALOGUE) {
      for (let i = 0; i < 20; i++) {
        const reference = generateReference(service.referencePrefix);
        expect(catalogue.parseReference(reference)).toEqual({ reference, service: service.id });
        expect(withoutEvisa.parseReference(reference)?.service ?? null).toBe(service.id === 'evisa' ? null : service.id);
      }
    }
  });

  it('types each service’s statuses: a misspelt status does not compile', () => {
    // Compiled by `npm test` (tsc) before Jest runs; the lines below must stay errors.
    const spine = { transition: async () => undefined } as unknown as CaseSpine;
    const manager = {} as EntityManager;
    const move = (to: 'IN_REVIEW') =>
      spine.transition(manager, {
        machine: evisaMachine,
        caseId: 'x',
        expectedVersion: 1,
        to,
        actor: { type: 'system' },
        visibility: 'internal',
      });
    void move;
    void (() =>
      spine.transition(manager, {
        machine: evisaMachine,
        caseId: 'x',
        expectedVersion: 1,
        // @ts-expect-error 'IN_REVEIW' is not a status of the eVisa's machine
        to: 'IN_REVEIW',
        actor: { type: 'system' },
        visibility: 'internal',
      }));
    void (() =>
      defineService({
        ...EVISA_SERVICE,
        // @ts-expect-error a definition's essential statuses come from its machine
        essentialStatuses: ['GRANTED'],
        ports: { ...EVISA_SERVICE.ports, personalData: NoPersonalData },
      }));
    expect(true).toBe(true);
  });
});
