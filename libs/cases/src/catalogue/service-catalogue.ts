import { Inject, Injectable, type OnApplicationBootstrap, Optional, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LOCALES, Messages } from '@app/platform';
import type { JobDeclaration } from '../queue/jobs.js';
import { parseReferenceWith } from '../reference.js';
import type { StateMachine } from '../state-machines/state-machine.js';
import type { PersonalDataPort, ReviewPort, ShareableDocumentPort, StatusDetailsPort } from './ports.js';
import type { ServiceDefinition, ServiceId } from './service-definition.js';

export const SERVICE_DEFINITIONS = Symbol('SERVICE_DEFINITIONS');
/** Which ports this process must be able to resolve for every service (the API needs them all; the worker only some). */
export const REQUIRED_PORTS = Symbol('REQUIRED_PORTS');

export type PortName = keyof ServiceDefinition['ports'];

interface ResolvedPorts {
  personalData?: PersonalDataPort;
  statusDetails?: StatusDetailsPort;
  shareableDocument?: ShareableDocumentPort;
  review?: ReviewPort;
}

/**
 * Every problem with a set of definitions, so that a bad start lists them all at once. Pure: the
 * catalogue runs it at construction, and a unit test runs it on broken definitions.
 */
export function definitionProblems(definitions: readonly ServiceDefinition[], messages?: Messages): string[] {
  const problems: string[] = [];
  const seen = { ids: new Set<string>(), prefixes: new Set<string>(), jobs: new Set<string>() };
  for (const d of definitions) {
    const where = `service "${d.id}"`;
    if (!/^[a-z][a-z-]{1,30}$/.test(d.id ?? '')) problems.push(`${where}: the id must be lower-case letters and hyphens`);
    if (seen.ids.has(d.id)) problems.push(`${where}: defined twice`);
    seen.ids.add(d.id);
    if (!/^[A-Z]{2}$/.test(d.referencePrefix ?? '')) problems.push(`${where}: the reference prefix must be two capital letters`);
    else if (seen.prefixes.has(d.referencePrefix)) problems.push(`${where}: reference prefix ${d.referencePrefix} is taken`);
    seen.prefixes.add(d.referencePrefix);
    if (!d.machine) problems.push(`${where}: no state machine`);
    else if (d.machine.service !== d.id) problems.push(`${where}: its state machine is for "${d.machine.service}"`);
    const statuses = new Set(Object.keys(d.machine?.transitions ?? {}));
    const unknown = (list: readonly string[] | 'every') => (list === 'every' ? [] : list.filter((s) => !statuses.has(s)));
    for (const status of unknown(d.essentialStatuses ?? [])) problems.push(`${where}: essential status ${status} is not in its machine`);
    for (const status of unknown(d.documentsValidIn ?? [])) problems.push(`${where}: document status ${status} is not in its machine`);
    if (!d.sla) problems.push(`${where}: no SLA rule`);
    if (!d.modules?.api || !d.modules?.worker) problems.push(`${where}: needs an API module and a worker module`);
    if (!d.ports?.personalData) problems.push(`${where}: no personal-data port (retention and subject access need one)`);
    const decides = Object.keys(d.machine?.decisions ?? {}).length > 0 || (d.machine?.queue.length ?? 0) > 0;
    if (decides && !d.ports?.review) problems.push(`${where}: its cases wait for officers but it has no review port`);
    for (const job of d.jobs ?? []) {
      if (seen.jobs.has(job.name)) problems.push(`${where}: job "${job.name}" is declared twice`);
      seen.jobs.add(job.name);
    }
    if (messages) {
      const keys = [
        `service.${d.id}.name`,
        `service.${d.id}.summary`,
        ...(d.home ? [`service.${d.id}.href`] : []),
        ...[...statuses].flatMap((s) => [`caseStatus.${d.id}.${s}.label`, `caseStatus.${d.id}.${s}.next`]),
        ...(d.documentKinds ?? []).map((kind) => `statusCheck.document.${kind}`),
      ];
      for (const locale of LOCALES) {
        const known = new Set(messages.keys(locale));
        const missing = keys.filter((key) => !known.has(key));
        if (missing.length) problems.push(`${where}: no ${locale} message for ${missing.join(', ')}`);
      }
    }
  }
  return problems;
}

/**
 * The services this process runs, looked up by id or reference prefix, with their ports resolved
 * from the application's providers. Construction fails, listing every problem, when a definition
 * is incomplete; bootstrap fails when a port this process needs has no provider.
 */
@Injectable()
export class ServiceCatalogue implements OnApplicationBootstrap {
  private readonly byId: ReadonlyMap<ServiceId, ServiceDefinition>;
  private readonly byPrefix: ReadonlyMap<string, ServiceId>;
  private readonly ports = new Map<ServiceId, ResolvedPorts>();

  constructor(
    @Inject(SERVICE_DEFINITIONS) definitions: readonly ServiceDefinition[],
    @Inject(REQUIRED_PORTS) private readonly required: readonly PortName[],
    @Optional() private readonly moduleRef?: ModuleRef,
    @Optional() messages?: Messages,
  ) {
    const problems = definitionProblems(definitions, messages);
    if (problems.length) throw new Error(`refusing to start: the service catalogue is incomplete:\n  - ${problems.join('\n  - ')}`);
    this.byId = new Map(definitions.map((d) => [d.id, d]));
    this.byPrefix = new Map(definitions.map((d) => [d.referencePrefix, d.id]));
  }

  onApplicationBootstrap(): void {
    if (!this.moduleRef) return;
    const problems: string[] = [];
    for (const definition of this.byId.values()) {
      const resolved: ResolvedPorts = {};
      for (const [name, type] of Object.entries(definition.ports) as [PortName, Type<unknown> | null][]) {
        if (!type) continue;
        const instance = this.resolve(type);
        if (instance) (resolved as Record<string, unknown>)[name] = instance;
        else if (this.required.includes(name))
          problems.push(`service "${definition.id}": ${type.name} (${name}) is not provided by its module`);
      }
      this.ports.set(definition.id, resolved);
    }
    if (problems.length) throw new Error(`refusing to start: ${problems.join('; ')}`);
  }

  all(): ServiceDefinition[] {
    return [...this.byId.values()];
  }

  ids(): ServiceId[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: ServiceId): ServiceDefinition {
    const definition = this.byId.get(id);
    if (!definition) throw new Error(`no service "${id}" in the catalogue`);
    return definition;
  }

  machine(id: ServiceId): StateMachine {
    return this.get(id).machine;
  }

  /** Reads a typed reference (see `parseReferenceWith`) against the prefixes of the services in the catalogue. */
  parseReference(input: unknown): { reference: string; service: ServiceId } | null {
    return parseReferenceWith(input, (prefix) => this.byPrefix.get(prefix));
  }

  jobs(): JobDeclaration<never>[] {
    return this.all().flatMap((d) => [...d.jobs]);
  }

  /** Every status in which some service's cases wait for an officer, sorted (the review-queue index covers these). */
  queueStatuses(): string[] {
    return [...new Set(this.all().flatMap((d) => d.machine.queue))].sort();
  }

  /** The personal-data port of a service: always there (a definition without one never starts). */
  personalData(id: ServiceId): PersonalDataPort {
    const port = this.ports.get(id)?.personalData;
    if (!port) throw new Error(`service "${id}" has no personal-data port in this process`);
    return port;
  }

  statusDetails(id: ServiceId): StatusDetailsPort | null {
    return this.ports.get(id)?.statusDetails ?? null;
  }

  shareableDocument(id: ServiceId): ShareableDocumentPort | null {
    return this.ports.get(id)?.shareableDocument ?? null;
  }

  review(id: ServiceId): ReviewPort | null {
    return this.ports.get(id)?.review ?? null;
  }

  private resolve(type: Type<unknown>): unknown {
    try {
      return this.moduleRef!.get(type, { strict: false });
    } catch {
      return undefined;
    }
  }
}
