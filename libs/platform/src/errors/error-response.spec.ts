import { QueryFailedError } from 'typeorm';
import { isDependencyUnavailable, normaliseError } from './error-response.js';

/** A node-postgres error as the driver raises it: a message and, from the server, a SQLSTATE code. */
const driverError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('normaliseError: failures that come from PostgreSQL and the network', () => {
  it.each([
    ['the server refuses connections', driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['the server is shutting down', driverError('the database system is shutting down', '57P03')],
    ['a backend terminated by a fast shutdown', driverError('terminating connection due to administrator command', '57P01')],
    ['a connection lost mid-query', driverError('Connection terminated unexpectedly')],
    ['the pool cannot get a connection', driverError('timeout exceeded when trying to connect')],
    ['a lost connection wrapped by TypeORM', new QueryFailedError('COMMIT', [], driverError('read ECONNRESET', 'ECONNRESET'))],
  ])('is a 503 NOT_READY when %s', (_label, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
    expect(normaliseError(error)).toEqual({
      status: 503,
      code: 'NOT_READY',
      message: 'The service is unavailable for a moment. Try again shortly.',
      unexpected: false,
    });
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a constraint the code should have checked', new QueryFailedError('INSERT', [], driverError('duplicate key value', '23505'))],
    ['a statement timeout', new QueryFailedError('SELECT', [], driverError('canceling statement due to statement timeout', '57014'))],
    ['a thrown string', 'boom'],
  ])('is still a 500 for %s', (_label, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
    expect(normaliseError(error)).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', unexpected: true });
  });

  it('is a 400 when text PostgreSQL cannot store (a NUL character) reached a query', () => {
    const error = new QueryFailedError('SELECT', ['a\u0000b'], driverError('invalid byte sequence for encoding "UTF8": 0x00', '22021'));
    expect(normaliseError(error)).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'The request contains a character that cannot be accepted.',
      unexpected: false,
    });
  });
});
