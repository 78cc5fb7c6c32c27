import type { Service } from '../reference.js';
import { abtcMachine } from './abtc.machine.js';
import { emergencyMachine } from './emergency.machine.js';
import { evisaMachine } from './evisa.machine.js';
import { legalisationMachine } from './legalisation.machine.js';
import { passportMachine } from './passport.machine.js';
import type { StateMachine } from './state-machine.js';

export const STATE_MACHINES: Record<Service, StateMachine> = {
  evisa: evisaMachine,
  passport: passportMachine,
  legalisation: legalisationMachine,
  abtc: abtcMachine,
  emergency: emergencyMachine,
};

export { abtcMachine, emergencyMachine, evisaMachine, legalisationMachine, passportMachine };
export * from './state-machine.js';

/** Every status in which some service's cases wait for an officer; the review-queue index covers exactly these. */
export const QUEUE_STATUSES: readonly string[] = [...new Set(Object.values(STATE_MACHINES).flatMap((m) => m.queue))].sort();
