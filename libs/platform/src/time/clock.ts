/**
 * The time source. Injected wherever time decides an outcome (lock-outs, expiries, leases), so
 * tests move time forward instead of sleeping.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
