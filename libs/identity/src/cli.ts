import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { databaseUrlOrDevStack, Messages, SystemClock, typeOrmOptions, ValidationException } from '@app/platform';
import { AuditLog } from '@app/audit';
import { Officer } from './officers/officer.entity.js';
import { generateInitialPassword, OfficerService } from './officers/officer.service.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { SessionService } from './sessions/session.service.js';

const USAGE =
  'usage: npm run officer:create -- --username <name> --post <code> --role <officer|supervisor|admin> [--role …] [--display-name <text>] [--email <address>]';

/**
 * `npm run officer:create`: creates an officer with a random initial password, printed once. The
 * officer changes it and enrols TOTP at the first sign-in.
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'create') throw new Error(USAGE);
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      post: { type: 'string' },
      role: { type: 'string', multiple: true },
      'display-name': { type: 'string' },
      email: { type: 'string' },
    },
    strict: true,
  });
  if (!values.username || !values.post || !values.role?.length) throw new Error(USAGE);
  const databaseUrl = databaseUrlOrDevStack();

  const dataSource = new DataSource(typeOrmOptions(databaseUrl, { entities: [Officer], migrations: [] }, 2));
  await dataSource.initialize();
  try {
    const clock = new SystemClock();
    const officers = new OfficerService(
      dataSource,
      new PasswordHasher(),
      new SessionService(dataSource, clock),
      new AuditLog(clock),
      clock,
    );
    const password = generateInitialPassword();
    const officer = await dataSource.transaction((manager) =>
      officers.create(
        manager,
        {
          username: values.username!,
          displayName: values['display-name'] ?? values.username!,
          email: values.email ?? null,
          postCode: values.post!,
          roles: values.role!.flatMap((role) => role.split(',')).map((role) => role.trim()),
          password,
          mustChangePassword: true,
        },
        { type: 'system', id: 'cli' },
      ),
    );
    console.log(`created officer ${officer.username} at ${officer.postCode} with roles ${officer.roles.join(', ')}`);
    console.log(`initial password: ${password}`);
    console.log('shown once: the officer changes it and enrols TOTP at the first sign-in (/officer/sign-in)');
  } catch (error) {
    if (error instanceof ValidationException) {
      const t = new Messages().translator('en');
      throw new Error(error.fieldErrors.map((e) => `${e.field}: ${e.messages.map((key) => t(key)).join('; ')}`).join('\n'), {
        cause: error,
      });
    }
    throw error;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
