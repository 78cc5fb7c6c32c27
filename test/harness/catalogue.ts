import { type ServiceCatalogue as Catalogue, ServiceCatalogue, type StateMachine } from '@app/cases';
import { SERVICE_CATALOGUE } from '@app/catalogue';

/** The real catalogue, built by hand for tests that wire services without Nest (its ports are not resolved). */
export function testCatalogue(): Catalogue {
  return new ServiceCatalogue(SERVICE_CATALOGUE, []);
}

/** A service's state machine, for tests that move cases of a service they name. */
export function machineOf(service: string): StateMachine {
  const found = SERVICE_CATALOGUE.find((definition) => definition.id === service);
  if (!found) throw new Error(`no service "${service}"`);
  return found.machine;
}

/** The status a service's cases are opened in. */
export function initialStatusOf(service: string): string {
  return machineOf(service).initial[0]!;
}
