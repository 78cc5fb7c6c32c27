import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createTestDatabase, testConfig } from '../harness/context.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';

describe('status check of a submitted eVisa', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createApi(testConfig(db.url));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('finds the case from its reference, surname (however typed) and date of birth', async () => {
    const inject = await browserInjector(app);
    const { reference } = await submittedApplication(inject);
    const found = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference: reference.toLowerCase(), surname: '  dela   CRUZ ', dateOfBirth: '1990-04-27' },
    });
    expect(found.statusCode).toBe(200);
    expect(JSON.parse(found.body)).toMatchObject({ reference, service: 'evisa', status: 'SUBMITTED' });
    const wrong = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference, surname: 'Dela Cruz', dateOfBirth: '1990-04-28' },
    });
    expect(wrong.statusCode).toBe(404);
  });
});
