import { classifySmtpFailure, mailDomainOf } from './email.sender.js';

describe('SMTP failures', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, message: 'No such user' }, 'permanent'],
    [{ code: 'EMESSAGE', responseCode: 552, message: 'Message too big' }, 'permanent'],
    [{ code: 'EENVELOPE', responseCode: 451, message: 'Try again later' }, 'temporary'],
    [{ code: 'EMESSAGE', responseCode: 503, message: 'Bad sequence' }, 'temporary'],
    [{ code: 'EAUTH', responseCode: 535, message: 'Invalid login' }, 'temporary'],
    [{ code: 'EENVELOPE', message: 'No recipients defined' }, 'permanent'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'temporary'],
    [{ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT', message: 'Greeting never received' }, 'temporary'],
    [{ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', message: 'Timeout' }, 'ambiguous'],
    [{ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, 'ambiguous'],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET', message: 'read ECONNRESET' }, 'ambiguous'],
  ])('%j is %s', (error, kind) => {
    expect(classifySmtpFailure(error).kind).toBe(kind);
  });

  it('never keeps an address the server echoed', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 550, message: '550 <mei@example.com>: unknown' }).message).not.toContain(
      'mei@',
    );
  });

  it('names Message-IDs after the sender domain', () => {
    expect(mailDomainOf('Consular Services <no-reply@consular.example.gov>')).toBe('consular.example.gov');
    expect(mailDomainOf('no-reply@mofa.example')).toBe('mofa.example');
  });
});
