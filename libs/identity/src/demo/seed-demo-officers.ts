import type { EntityManager } from 'typeorm';
import type { Clock, FieldCipher } from '@app/platform';
import { AuditLog } from '@app/audit';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { DEMO_OFFICERS } from './demo-officers.js';

/**
 * Creates the demo officers, or puts them back as printed (password, TOTP secret, unlocked), so
 * the credentials shown by `npm run dev` always work. Development only.
 */
export async function seedDemoOfficers(manager: EntityManager, cipher: FieldCipher, clock: Clock): Promise<number> {
  const hasher = new PasswordHasher();
  const audit = new AuditLog(clock);
  for (const demo of DEMO_OFFICERS) {
    const now = clock.now();
    const passwordHash = await hasher.hash(demo.password);
    const [existing] = (await manager.query(`SELECT id FROM officer WHERE username = $1`, [demo.username])) as { id: string }[];
    if (existing) {
      await manager.query(
        `UPDATE officer SET password_hash = $2, totp_secret = $3, totp_enrolled_at = COALESCE(totp_enrolled_at, $4), active = true,
                            failed_attempts = 0, locked_until = NULL, must_change_password = false, updated_at = $4
          WHERE id = $1`,
        [existing.id, passwordHash, cipher.encrypt(demo.totpSecret, `officer.totp_secret:${existing.id}`), now],
      );
      continue;
    }
    const [{ id }] = (await manager.query(
      `INSERT INTO officer (username, display_name, roles, post_code, password_hash, password_changed_at, totp_enrolled_at, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$6,$6,$6) RETURNING id`,
      [demo.username, demo.displayName, [demo.role], demo.postCode, passwordHash, now],
    )) as [{ id: string }];
    await manager.query(`UPDATE officer SET totp_secret = $2 WHERE id = $1`, [
      id,
      cipher.encrypt(demo.totpSecret, `officer.totp_secret:${id}`),
    ]);
    await audit.record(manager, {
      action: 'officer.created',
      actor: { type: 'system' },
      target: { type: 'officer', id },
      postCode: demo.postCode,
      details: { username: demo.username, roles: [demo.role], demo: true },
    });
  }
  return DEMO_OFFICERS.length;
}
