/** The time, injectable so tests can move it (lease expiry, lock-outs, deadlines) without sleeping. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock tests set by hand. */
export class FixedClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: Date): void {
    this.current = instant;
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
