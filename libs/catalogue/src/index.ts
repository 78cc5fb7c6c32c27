import type { ServiceDefinition } from '@app/cases';
import { ABTC_SERVICE } from '@app/abtc';
import { EMERGENCY_SERVICE } from '@app/emergency';
import { EVISA_SERVICE } from '@app/evisa';
import { LEGALISATION_SERVICE } from '@app/legalisation';
import { PASSPORT_SERVICE } from '@app/passports';

/**
 * The consular services this portal runs: one line each. The API, the worker and the schema take
 * everything about a service from its definition; nothing else names it. Removing a line (and the
 * library) removes the service; its tables stay until a migration drops them.
 */
export const SERVICE_CATALOGUE: readonly ServiceDefinition[] = [
  EVISA_SERVICE,
  PASSPORT_SERVICE,
  LEGALISATION_SERVICE,
  ABTC_SERVICE,
  EMERGENCY_SERVICE,
];
