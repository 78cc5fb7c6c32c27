import type { DynamicModule, Type } from '@nestjs/common';
import type { JobDeclaration } from '../queue/jobs.js';
import type { StateMachine } from '../state-machines/state-machine.js';
import type { PersonalDataPort, ReviewPort, ShareableDocumentPort, StatusDetailsPort } from './ports.js';

/** A service's id as stored in `case.service` (lower case, for example the eVisa's). Shared code never names one. */
export type ServiceId = string;

/** How long officers have to decide: working days in the post's calendar, minutes, or minutes by priority (emergencies). */
export type SlaRule =
  | { kind: 'workingDays'; days: number }
  | { kind: 'minutes'; minutes: number }
  | { kind: 'minutesByPriority'; minutes: Readonly<Record<number, number>>; otherwise: number };

export type ModuleEntry = Type<unknown> | DynamicModule;

/**
 * Everything the platform needs to know about one consular service, in one typed value. A service
 * library exports one; the catalogue (`libs/catalogue`) lists them; the API and the worker refuse to
 * start when one is incomplete. Message keys follow from the id: `service.<id>.name|summary|href`,
 * `caseStatus.<id>.<STATUS>.label|next` for every status.
 */
export interface ServiceDefinition<S extends string = string> {
  readonly id: ServiceId;
  /** Two capital letters that start every reference of the service (EV-7K3M-9QXP). */
  readonly referencePrefix: string;
  readonly machine: StateMachine<S>;
  readonly sla: SlaRule;
  /**
   * Statuses the applicant hears about whatever they chose (decisions, requests for information,
   * "come and collect"); other changes are progress updates they can turn off. 'every': all are.
   */
  readonly essentialStatuses: readonly NoInfer<S>[] | 'every';
  /** The kinds of generated document the service produces (`statusCheck.document.<kind>` names each). */
  readonly documentKinds: readonly string[];
  /** Statuses in which the case's documents are issued and valid, so the holder may list and share them. */
  readonly documentsValidIn: readonly NoInfer<S>[];
  /** The service's own jobs; each needs exactly one @OnJob handler in the worker. */
  readonly jobs: readonly JobDeclaration<never>[];
  /**
   * Its place on the home page (lower first), with links under its entry beyond `service.<id>.href`
   * (the label is a message key), or null for a service with no applicant entry point.
   */
  readonly home: { order: number; links?: readonly { href: string; labelKey: string }[] } | null;
  /** TypeORM entities of the tables the service owns. */
  readonly entities: readonly Type<unknown>[];
  /** The Nest modules the API and the worker mount for it. */
  readonly modules: { readonly api: ModuleEntry; readonly worker: ModuleEntry };
  /** Provider classes (in the modules above) implementing the ports. */
  readonly ports: {
    readonly personalData: Type<PersonalDataPort>;
    readonly statusDetails: Type<StatusDetailsPort> | null;
    readonly shareableDocument: Type<ShareableDocumentPort> | null;
    readonly review: Type<ReviewPort> | null;
  };
}

/** Checks the definition's type against its machine's statuses; the catalogue checks the rest at start-up. */
export function defineService<const S extends string>(definition: ServiceDefinition<S>): ServiceDefinition<S> {
  return definition;
}

/** The statuses of a machine or a definition, as a union type. */
export type StatusOf<T> = T extends ServiceDefinition<infer S> ? S : T extends StateMachine<infer S> ? S : never;
