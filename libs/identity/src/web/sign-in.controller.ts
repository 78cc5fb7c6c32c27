import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, Public } from '@app/platform';
import { OFFICER_HOME, SignInFlow } from '../auth/sign-in-flow.js';
import { sessionOf } from '../auth/request-credentials.js';
import { MfaService } from '../mfa/mfa.service.js';
import { groupedSecret, otpauthUri, qrCodeDataUrl } from '../mfa/totp.js';
import type { OfficerSession, SessionStage } from '../sessions/session.service.js';
import { SessionCookie } from '../sessions/session-cookie.js';
import { field, orRerender, rerender, safeReturnPath, see } from './forms.js';

type FormFields = Record<string, unknown>;

const SIGN_IN_FAILED: FieldError[] = [{ field: 'username', messages: ['identity.signIn.error.failed'] }];

/**
 * The sign-in pages. They are public because they run before there is an officer; each stage
 * page only works for a session at that stage and sends anyone else back to the start.
 */
@ApiExcludeController()
@Public()
@Controller('officer')
export class SignInController {
  constructor(
    private readonly flow: SignInFlow,
    private readonly mfa: MfaService,
    private readonly cookie: SessionCookie,
  ) {}

  @Get('sign-in')
  signInPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: FormFields) {
    if (request.officer) return see(reply, OFFICER_HOME);
    return reply.view('identity/sign-in.njk', {
      username: '',
      next: safeReturnPath(query.next) ?? '',
      signedOut: query['signed-out'] === '1',
    });
  }

  @Post('sign-in')
  async signIn(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const username = field(body, 'username', { max: 100 });
    const password = field(body, 'password', { trim: false, max: 1024 });
    const next = safeReturnPath(field(body, 'next'));
    const data = { username, next: next ?? '' };
    const missing: FieldError[] = [];
    if (!username) missing.push({ field: 'username', messages: ['identity.signIn.error.usernameMissing'] });
    if (!password) missing.push({ field: 'password', messages: ['identity.signIn.error.passwordMissing'] });
    if (missing.length) return rerender(request, reply, 'identity/sign-in.njk', missing, data);
    const step = await this.flow.password(username, password, next, request.ip, sessionOf(request));
    if (!step) return rerender(request, reply, 'identity/sign-in.njk', SIGN_IN_FAILED, data);
    this.cookie.set(reply, step.token);
    return see(reply, step.next);
  }

  @Get('sign-in/mfa')
  mfaPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.atStage(request, 'mfa')) return see(reply, '/officer/sign-in');
    return reply.view('identity/mfa.njk');
  }

  @Post('sign-in/mfa')
  async mfaCode(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const session = this.atStage(request, 'mfa');
    if (!session) return see(reply, '/officer/sign-in');
    const step = await this.flow.secondFactor(session, { kind: 'totp', code: field(body, 'code', { max: 20 }) }, request.ip);
    if (!step) return rerender(request, reply, 'identity/mfa.njk', [{ field: 'code', messages: ['identity.mfa.error.invalid'] }]);
    this.cookie.set(reply, step.token);
    return see(reply, step.next);
  }

  @Get('sign-in/recovery')
  recoveryPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.atStage(request, 'mfa')) return see(reply, '/officer/sign-in');
    return reply.view('identity/recovery.njk');
  }

  @Post('sign-in/recovery')
  async recoveryCode(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const session = this.atStage(request, 'mfa');
    if (!session) return see(reply, '/officer/sign-in');
    const step = await this.flow.secondFactor(session, { kind: 'recovery', code: field(body, 'code', { max: 40 }) }, request.ip);
    if (!step) return rerender(request, reply, 'identity/recovery.njk', [{ field: 'code', messages: ['identity.recovery.error.invalid'] }]);
    this.cookie.set(reply, step.token);
    return see(reply, step.next);
  }

  @Get('mfa/enrol')
  async enrolPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const session = this.atStage(request, 'enrol');
    if (!session) return see(reply, '/officer/sign-in');
    return reply.view('identity/enrol.njk', await this.enrolment(session));
  }

  @Post('mfa/enrol')
  @HttpCode(200)
  async enrol(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const session = this.atStage(request, 'enrol');
    if (!session) return see(reply, '/officer/sign-in');
    const step = await this.flow.enrol(session, field(body, 'code', { max: 20 }), request.ip);
    if (!step) {
      return rerender(
        request,
        reply,
        'identity/enrol.njk',
        [{ field: 'code', messages: ['identity.mfa.error.invalid'] }],
        await this.enrolment(session),
      );
    }
    this.cookie.set(reply, step.token);
    return reply.view('identity/recovery-codes.njk', { recoveryCodes: step.recoveryCodes, next: step.next });
  }

  @Get('sign-in/new-password')
  newPasswordPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.atStage(request, 'password')) return see(reply, '/officer/sign-in');
    return reply.view('identity/new-password.njk');
  }

  @Post('sign-in/new-password')
  async newPassword(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const session = this.atStage(request, 'password');
    if (!session) return see(reply, '/officer/sign-in');
    const password = field(body, 'password', { trim: false, max: 1024 });
    if (password !== field(body, 'confirm', { trim: false, max: 1024 })) {
      return rerender(request, reply, 'identity/new-password.njk', [{ field: 'confirm', messages: ['identity.password.mismatch'] }]);
    }
    return orRerender(request, reply, 'identity/new-password.njk', {}, async () => {
      const step = await this.flow.newPassword(session, password, request.ip);
      this.cookie.set(reply, step.token);
      return see(reply, step.next);
    });
  }

  /** Ends the session (whatever its stage) on the server and in the browser. */
  @Post('sign-out')
  async signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const session = sessionOf(request);
    if (session) await this.flow.signOut(session, request.ip);
    this.cookie.clear(reply);
    return see(reply, '/officer/sign-in?signed-out=1');
  }

  private atStage(request: FastifyRequest, stage: SessionStage): OfficerSession | null {
    const session = sessionOf(request);
    return session?.stage === stage ? session : null;
  }

  private async enrolment(session: OfficerSession): Promise<{ qrCode: string; secret: string }> {
    const secret = await this.mfa.pendingSecret(session);
    return { qrCode: await qrCodeDataUrl(otpauthUri(secret, session.officer.username)), secret: groupedSecret(secret) };
  }
}
