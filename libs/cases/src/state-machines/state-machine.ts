import { DomainException } from '@app/platform';
import { CaseErrors } from '../errors.js';

/**
 * One declared transition table per service. Every status change goes through `assertTransition`;
 * nothing else may write `case.status`.
 */
export interface StateMachine<S extends string = string> {
  /** The id of the service whose cases it governs. */
  service: string;
  /** Statuses a case may be created in. */
  initial: readonly S[];
  transitions: Readonly<Record<S, readonly S[]>>;
  /** Statuses in which a case waits in the officer review queue. */
  queue: readonly S[];
  /** Claiming a case in `from` starts its review: the case moves to `to` (e.g. SUBMITTED → IN_REVIEW). */
  reviewStart?: { from: S; to: S };
  /** Where each officer decision leads, and from which statuses it may be taken. */
  decisions: Partial<Record<DecisionAction, { from: readonly S[]; to: S }>>;
}

export type DecisionAction = 'approve' | 'refuse' | 'requestInfo';

export function defineStateMachine<const S extends string>(machine: StateMachine<S>): StateMachine<S> {
  for (const [from, targets] of Object.entries(machine.transitions) as [S, readonly S[]][]) {
    for (const to of targets) {
      if (!(to in machine.transitions)) throw new Error(`${machine.service}: ${from} → ${to} leads to an undeclared status`);
    }
  }
  const declared = [
    ...(machine.reviewStart ? [machine.reviewStart] : []),
    ...Object.values(machine.decisions).flatMap((d) => (d ? d.from.map((from) => ({ from, to: d.to })) : [])),
  ];
  for (const { from, to } of declared) {
    if (!machine.transitions[from]?.includes(to)) throw new Error(`${machine.service}: ${from} → ${to} is used but not allowed`);
  }
  return machine;
}

export function allowedTransitions(machine: StateMachine, from: string): readonly string[] {
  return machine.transitions[from] ?? [];
}

/** Statuses in which a case has no way on (retention may anonymise it once it has been closed long enough). */
export function terminalStatuses(machine: StateMachine): string[] {
  return Object.keys(machine.transitions).filter((status) => isTerminal(machine, status));
}

export function assertTransition(machine: StateMachine, from: string, to: string): void {
  if (allowedTransitions(machine, from).includes(to)) return;
  const allowed = allowedTransitions(machine, from);
  throw new DomainException(
    CaseErrors.INVALID_TRANSITION,
    `A ${machine.service} case cannot move from ${from} to ${to}.` +
      (allowed.length ? ` From ${from} it can move to: ${allowed.join(', ')}.` : ` ${from} is a final status.`),
    { from, to, allowed },
  );
}

export function isTerminal(machine: StateMachine, status: string): boolean {
  return allowedTransitions(machine, status).length === 0;
}
