import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestStack, type TestStack } from '../harness/app.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';

describe('status check of a submitted eVisa', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
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
