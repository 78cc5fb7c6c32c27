import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, DomainException } from '@app/platform';
import { addWorkingDays, localParts, zonedToUtc } from '@app/review';
import { LegalisationErrors } from './errors.js';
import { LEGALISATION_SETTINGS, type LegalisationSettings } from './settings.js';

export interface FreeSlot {
  id: string;
  startsAt: Date;
  /** The post's own calendar day and wall-clock time. */
  localDate: string;
  localTime: string;
  remaining: number;
}

export interface SlotDay {
  localDate: string;
  slots: FreeSlot[];
}

interface SlotRow {
  id: string;
  starts_at: Date;
  capacity: number;
  booked: number;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Appointment slots for handing in documents: working days (the review queue's rules: weekends and
 * the post's holidays off) in the post's own time zone, made on demand for the next few working
 * days. Booking is one conditional UPDATE (`booked < capacity`), so concurrent bookings for the
 * last place cannot both win; the table's CHECK says the same.
 */
@Injectable()
export class AppointmentSlots {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(LEGALISATION_SETTINGS) private readonly settings: LegalisationSettings,
  ) {}

  /** The starting instants of the slots of the next `workingDaysAhead` working days (tomorrow onwards). */
  slotTimes(post: { code: string; timeZone: string }, now: Date = this.clock.now()): Date[] {
    const { firstLocalTime, lastLocalTime, everyMinutes, workingDaysAhead } = this.settings.slots;
    const times: Date[] = [];
    for (let day = 1; day <= workingDaysAhead; day++) {
      const local = localParts(addWorkingDays(now, day, post.timeZone, post.code), post.timeZone);
      for (let minute = minutesOf(firstLocalTime); minute <= minutesOf(lastLocalTime); minute += everyMinutes) {
        times.push(
          zonedToUtc(
            { year: local.year, month: local.month, day: local.day, hour: Math.floor(minute / 60), minute: minute % 60, second: 0 },
            post.timeZone,
          ),
        );
      }
    }
    return times;
  }

  /** Makes the coming slots of a post that do not exist yet; existing ones (and their bookings) are left alone. */
  async ensure(post: { code: string; timeZone: string }, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const times = this.slotTimes(post);
    await manager.query(
      `INSERT INTO appointment_slot (post_code, starts_at, capacity)
       SELECT $1, t, $3 FROM unnest($2::timestamptz[]) AS t
       ON CONFLICT (post_code, starts_at) DO NOTHING`,
      [post.code, times, this.settings.slots.capacity],
    );
  }

  /** The post's free slots from now to the end of the booking horizon, grouped by local day; full slots are left out. */
  async free(post: { code: string; timeZone: string }): Promise<SlotDay[]> {
    await this.ensure(post);
    const rows = (await this.dataSource.query(
      `SELECT id::text AS id, starts_at, capacity, booked FROM appointment_slot
        WHERE post_code = $1 AND starts_at > $2 AND booked < capacity ORDER BY starts_at LIMIT 500`,
      [post.code, this.clock.now()],
    )) as SlotRow[];
    const days: SlotDay[] = [];
    for (const row of rows) {
      const slot = this.describe(row, post.timeZone);
      const last = days.at(-1);
      if (last?.localDate === slot.localDate) last.slots.push(slot);
      else days.push({ localDate: slot.localDate, slots: [slot] });
    }
    return days;
  }

  /** Takes one place in the slot, in the caller's transaction; SLOT_UNAVAILABLE when it is full, past or another post's. */
  async book(manager: EntityManager, slotId: string, postCode: string): Promise<{ id: string; startsAt: Date }> {
    if (!/^\d{1,18}$/.test(slotId)) throw this.unavailable();
    const rows = (await manager.query(
      `UPDATE appointment_slot SET booked = booked + 1
        WHERE id = $1 AND post_code = $2 AND starts_at > $3 AND booked < capacity
        RETURNING id::text AS id, starts_at`,
      [slotId, postCode, this.clock.now()],
    )) as [{ id: string; starts_at: Date }[], number];
    const booked = rows[0][0];
    if (!booked) throw this.unavailable();
    return { id: booked.id, startsAt: booked.starts_at };
  }

  describe(row: { id: string; starts_at: Date; capacity?: number; booked?: number }, timeZone: string): FreeSlot {
    const local = localParts(row.starts_at, timeZone);
    return {
      id: row.id,
      startsAt: row.starts_at,
      localDate: `${local.year}-${pad(local.month)}-${pad(local.day)}`,
      localTime: `${pad(local.hour)}:${pad(local.minute)}`,
      remaining: (row.capacity ?? 0) - (row.booked ?? 0),
    };
  }

  private unavailable(): DomainException {
    return new DomainException(
      LegalisationErrors.SLOT_UNAVAILABLE,
      'This appointment is no longer available: it was just taken or has passed. Choose another time.',
    );
  }
}
