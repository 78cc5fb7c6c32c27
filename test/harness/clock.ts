import { Clock } from '@app/platform';

/** A clock that only moves when told: pass it to createApi(config, { clock }) to expire sessions and lock-outs without sleeping. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | string = '2026-03-02T09:00:00.000Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  minutes(count: number): void {
    this.advance(count * 60_000);
  }
}
