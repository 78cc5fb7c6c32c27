import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { AppointmentSlots, LegalisationService } from '@app/legalisation';
import type { Role } from '@app/platform';
import { machineOf } from './catalogue.js';

/**
 * The access matrix, as data: every officer route (method + the pattern Nest registered) with
 * the roles its policy admits and whether it reaches a post-scoped resource. The matrix test
 * calls each one as every role, at the resource's post, at another post and at HQ, and as
 * nobody, and checks the status; it also fails when an officer route is missing from this list.
 * A library that adds officer routes adds its rows here (with a `url` that creates whatever
 * resource the route needs at `fixture.postCode`).
 */
export interface MatrixFixture {
  app: NestFastifyApplication;
  /** The post every resource belongs to; "own post" actors work there. */
  postCode: string;
  /** An officer at that post, for the officer-management routes. */
  officerId: string;
}

export interface OfficerRouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As Nest registered it, e.g. `/officer/admin/officers/:id`. */
  route: string;
  /** The URL to call, made fresh for every request; defaults to `route`. */
  url?: (fixture: MatrixFixture) => string | Promise<string>;
  /** Form fields (pages) or JSON body (API) to send; the CSRF token is added. */
  body?: Record<string, string>;
  /** The roles the route's policy admits. */
  roles: readonly Role[];
  /** True when the route reaches a resource at `fixture.postCode`: officers of other posts get 404 unless they see every post. */
  postScoped: boolean;
  /** The status for an officer who may call it (an empty form may well be 400). */
  allowed: number;
}

const ALL: readonly Role[] = ['officer', 'supervisor', 'admin'];
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** A fresh passport case waiting at the fixture's post; returns its id. */
async function caseAt(fixture: MatrixFixture): Promise<string> {
  const opened = await fixture.app.get(DataSource).transaction((manager) =>
    fixture.app.get(CaseSpine).openCase(manager, {
      machine: machineOf('passport'),
      status: 'SUBMITTED',
      postCode: fixture.postCode,
      locale: 'en',
      actor: { type: 'applicant' },
    }),
  );
  return opened.id;
}

/** A fresh emergency report waiting at the fixture's post; returns its case id. */
async function emergencyAt(fixture: MatrixFixture): Promise<string> {
  return fixture.app.get(DataSource).transaction(async (manager) => {
    const opened = await fixture.app.get(CaseSpine).openCase(manager, {
      machine: machineOf('emergency'),
      status: 'REPORTED',
      postCode: fixture.postCode,
      locale: 'en',
      actor: { type: 'applicant' },
    });
    await manager.query(
      `INSERT INTO emergency_case (case_id, category, country, city, relationship, first_contact_due_at) VALUES ($1, 'crime_victim', 'USA', 'Los Angeles', 'self', now())`,
      [opened.id],
    );
    return opened.id;
  });
}

const EMERGENCY_ROLES: readonly Role[] = ['officer', 'supervisor'];

/** A fresh document authentication request at the fixture's post, with its booking; returns its case id. */
async function legalisationCaseAt(fixture: MatrixFixture): Promise<string> {
  const requests = fixture.app.get(LegalisationService);
  const post = await requests.post(fixture.postCode);
  const slot = (await fixture.app.get(AppointmentSlots).free(post))[0]!.slots[0]!;
  const applicant = {
    givenNames: 'Ana',
    surname: 'Lee',
    dateOfBirth: '1980-01-01',
    email: 'ana@example.test',
    phone: '',
    locale: 'en' as const,
  };
  const item = { documentType: 'diploma', issuingCountry: 'Japan', originals: 1, extraCopies: 0, description: 'Diploma' };
  const options = {
    direction: 'foreign_document_for_use_at_home' as const,
    serviceLevel: 'regular' as const,
    delivery: 'pickup_at_post' as const,
    mailingAddress: null,
  };
  return (await requests.submit({ applicant, items: [item], options, postCode: post.code, slotId: slot.id }, { clientIp: null })).caseId;
}

/** A fresh ABTC application in pre-clearance at the fixture's post (written directly: the service opens its cases at HQ); returns its case id. */
async function abtcCaseAt(fixture: MatrixFixture): Promise<string> {
  return fixture.app.get(DataSource).transaction(async (manager) => {
    const spine = fixture.app.get(CaseSpine);
    const opened = await spine.openCase(manager, {
      machine: machineOf('abtc'),
      status: 'SUBMITTED',
      postCode: fixture.postCode,
      locale: 'en',
      actor: { type: 'applicant' },
    });
    await manager.query(`INSERT INTO abtc_application (case_id, sex, nationality, passport_expiry) VALUES ($1, 'F', 'TWN', '2035-01-01')`, [
      opened.id,
    ]);
    await manager.query(`INSERT INTO abtc_clearance (case_id, economy, status) VALUES ($1, 'JPN', 'PENDING')`, [opened.id]);
    return opened.id;
  });
}

export const OFFICER_ROUTES: OfficerRouteCase[] = [
  // identity: the officer's own pages
  { method: 'GET', route: '/officer', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'GET', route: '/officer/account', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'GET', route: '/officer/account/password', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'POST', route: '/officer/account/password', roles: ALL, postScoped: false, allowed: 400 },
  { method: 'GET', route: '/officer/account/tokens', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'POST', route: '/officer/account/tokens', roles: ALL, postScoped: false, allowed: 400 },
  {
    method: 'POST',
    route: '/officer/account/tokens/:id/revoke',
    url: () => `/officer/account/tokens/${NO_SUCH_ID}/revoke`,
    roles: ALL,
    postScoped: false,
    allowed: 404,
  },
  { method: 'GET', route: '/officer/reauth', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'POST', route: '/officer/reauth', roles: ALL, postScoped: false, allowed: 400 },
  // identity: officer management
  { method: 'GET', route: '/officer/admin/officers', roles: ['admin'], postScoped: false, allowed: 200 },
  { method: 'GET', route: '/officer/admin/officers/new', roles: ['admin'], postScoped: false, allowed: 200 },
  { method: 'POST', route: '/officer/admin/officers/new', roles: ['admin'], postScoped: false, allowed: 400 },
  {
    method: 'GET',
    route: '/officer/admin/officers/:id',
    url: (f) => `/officer/admin/officers/${f.officerId}`,
    roles: ['admin'],
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/admin/officers/:id/lock',
    url: (f) => `/officer/admin/officers/${f.officerId}/lock`,
    roles: ['admin'],
    postScoped: true,
    allowed: 303,
  },
  {
    method: 'POST',
    route: '/officer/admin/officers/:id/unlock',
    url: (f) => `/officer/admin/officers/${f.officerId}/unlock`,
    roles: ['admin'],
    postScoped: true,
    allowed: 303,
  },
  {
    method: 'GET',
    route: '/officer/admin/officers/:id/reset-mfa',
    url: (f) => `/officer/admin/officers/${f.officerId}/reset-mfa`,
    roles: ['admin'],
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/admin/officers/:id/reset-mfa',
    url: (f) => `/officer/admin/officers/${f.officerId}/reset-mfa`,
    roles: ['admin'],
    postScoped: true,
    allowed: 303,
  },
  // identity: JSON API
  { method: 'GET', route: '/api/v1/officer/me', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'GET', route: '/api/v1/officer/tokens', roles: ALL, postScoped: false, allowed: 200 },
  {
    method: 'DELETE',
    route: '/api/v1/officer/tokens/:id',
    url: () => `/api/v1/officer/tokens/${NO_SUCH_ID}`,
    roles: ALL,
    postScoped: false,
    allowed: 404,
  },
  // review: the queue, the case workspace and the supervisor dashboard (pages)
  { method: 'GET', route: '/officer/queue', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'POST', route: '/officer/queue/claim-next', roles: ALL, postScoped: false, allowed: 303 },
  {
    method: 'GET',
    route: '/officer/cases/:id',
    url: async (f) => `/officer/cases/${await caseAt(f)}`,
    roles: ALL,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/cases/:id/decide',
    url: async (f) => `/officer/cases/${await caseAt(f)}/decide`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/cases/:id/notes',
    url: async (f) => `/officer/cases/${await caseAt(f)}/notes`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/cases/:id/release',
    url: async (f) => `/officer/cases/${await caseAt(f)}/release`,
    roles: ALL,
    postScoped: true,
    allowed: 409,
  },
  {
    method: 'GET',
    route: '/officer/cases/:id/files/:fileId',
    url: async (f) => `/officer/cases/${await caseAt(f)}/files/${NO_SUCH_ID}`,
    roles: ALL,
    postScoped: true,
    allowed: 404,
  },
  { method: 'GET', route: '/officer/supervisor', roles: ['supervisor'], postScoped: false, allowed: 200 },
  { method: 'POST', route: '/officer/supervisor/assign', roles: ['supervisor'], postScoped: false, allowed: 400 },
  // review: JSON API
  { method: 'GET', route: '/api/v1/officer/queue', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'POST', route: '/api/v1/officer/queue/claim-next', roles: ALL, postScoped: false, allowed: 200 },
  {
    method: 'GET',
    route: '/api/v1/officer/cases/:id',
    url: async (f) => `/api/v1/officer/cases/${await caseAt(f)}`,
    roles: ALL,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/cases/:id/actions',
    url: async (f) => `/api/v1/officer/cases/${await caseAt(f)}/actions`,
    body: { action: 'approve', expectedVersion: '1' },
    roles: ALL,
    postScoped: true,
    allowed: 409,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/cases/:id/notes',
    url: async (f) => `/api/v1/officer/cases/${await caseAt(f)}/notes`,
    body: { text: 'Called the applicant.' },
    roles: ALL,
    postScoped: true,
    allowed: 201,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/cases/:id/release',
    url: async (f) => `/api/v1/officer/cases/${await caseAt(f)}/release`,
    roles: ALL,
    postScoped: true,
    allowed: 409,
  },
  {
    method: 'GET',
    route: '/api/v1/officer/cases/:id/files/:fileId',
    url: async (f) => `/api/v1/officer/cases/${await caseAt(f)}/files/${NO_SUCH_ID}`,
    roles: ALL,
    postScoped: true,
    allowed: 404,
  },
  { method: 'GET', route: '/api/v1/officer/alerts', roles: ALL, postScoped: false, allowed: 200 },
  { method: 'POST', route: '/api/v1/officer/assignments', roles: ['supervisor'], postScoped: false, allowed: 400 },
  { method: 'GET', route: '/api/v1/officer/dashboard', roles: ['supervisor'], postScoped: false, allowed: 200 },
  // evisa: revocation (re-authentication first, then the post scope)
  {
    method: 'GET',
    route: '/officer/evisa/:id/revoke',
    url: async (f) => `/officer/evisa/${await caseAt(f)}/revoke`,
    roles: ALL,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/evisa/:id/revoke',
    url: async (f) => `/officer/evisa/${await caseAt(f)}/revoke`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  // emergency: triage, contact log and resolution (no empty form is valid; a missing version is stale)
  {
    method: 'GET',
    route: '/officer/emergency/:id',
    url: async (f) => `/officer/emergency/${await emergencyAt(f)}`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/emergency/:id/triage',
    url: async (f) => `/officer/emergency/${await emergencyAt(f)}/triage`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/emergency/:id/start',
    url: async (f) => `/officer/emergency/${await emergencyAt(f)}/start`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 409,
  },
  {
    method: 'POST',
    route: '/officer/emergency/:id/contacts',
    url: async (f) => `/officer/emergency/${await emergencyAt(f)}/contacts`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/emergency/:id/resolve',
    url: async (f) => `/officer/emergency/${await emergencyAt(f)}/resolve`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/emergency/:id/close',
    url: async (f) => `/officer/emergency/${await emergencyAt(f)}/close`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 409,
  },
  // emergency, as JSON: valid bodies, so that the post scope (checked by the service, after the DTO) decides
  {
    method: 'GET',
    route: '/api/v1/officer/emergency/:id',
    url: async (f) => `/api/v1/officer/emergency/${await emergencyAt(f)}`,
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/emergency/:id/triage',
    url: async (f) => `/api/v1/officer/emergency/${await emergencyAt(f)}/triage`,
    body: { expectedVersion: '1', priority: '2' },
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 204,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/emergency/:id/start',
    url: async (f) => `/api/v1/officer/emergency/${await emergencyAt(f)}/start`,
    body: { expectedVersion: '1' },
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 409,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/emergency/:id/contacts',
    url: async (f) => `/api/v1/officer/emergency/${await emergencyAt(f)}/contacts`,
    body: { channel: 'phone', note: 'Called the reporter back.' },
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 204,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/emergency/:id/resolve',
    url: async (f) => `/api/v1/officer/emergency/${await emergencyAt(f)}/resolve`,
    body: { expectedVersion: '1', resolutionNote: 'Released.' },
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 409,
  },
  {
    method: 'POST',
    route: '/api/v1/officer/emergency/:id/close',
    url: async (f) => `/api/v1/officer/emergency/${await emergencyAt(f)}/close`,
    body: { expectedVersion: '1' },
    roles: EMERGENCY_ROLES,
    postScoped: true,
    allowed: 409,
  },
  // notifications: failed deliveries for supervisors
  { method: 'GET', route: '/officer/notifications/failed', roles: ['supervisor'], postScoped: false, allowed: 200 },
  {
    method: 'POST',
    route: '/officer/notifications/:id/resend',
    url: () => `/officer/notifications/${NO_SUCH_ID}/resend`,
    roles: ['supervisor'],
    postScoped: false,
    allowed: 404,
  },
  { method: 'GET', route: '/api/v1/notifications/failed', roles: ['supervisor'], postScoped: false, allowed: 200 },
  {
    method: 'POST',
    route: '/api/v1/notifications/:id/resend',
    url: () => `/api/v1/notifications/${NO_SUCH_ID}/resend`,
    roles: ['supervisor'],
    postScoped: false,
    allowed: 404,
  },
  // audit
  { method: 'GET', route: '/officer/audit', roles: ['supervisor'], postScoped: false, allowed: 200 },
  // lifecycle: subject access export (an address that matches nobody still gets a document, with no cases)
  {
    method: 'POST',
    route: '/api/v1/officer/subject-access-exports',
    body: { email: 'nobody@example.test' },
    roles: ['supervisor'],
    postScoped: false,
    allowed: 200,
  },
  // legalisation: handing over or posting authenticated documents (post-scoped)
  {
    method: 'GET',
    route: '/officer/legalisation/:caseId',
    url: async (f) => `/officer/legalisation/${await legalisationCaseAt(f)}`,
    roles: ALL,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/legalisation/:caseId/dispatch',
    url: async (f) => `/officer/legalisation/${await legalisationCaseAt(f)}/dispatch`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/legalisation/:caseId/complete',
    url: async (f) => `/officer/legalisation/${await legalisationCaseAt(f)}/complete`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  // passports: printing and dispatch (HQ), ready and collected (the collecting post), the photo (post-scoped; an empty form is 400)
  {
    method: 'GET',
    route: '/officer/passports/:caseId',
    url: async (f) => `/officer/passports/${await caseAt(f)}`,
    roles: ALL,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'GET',
    route: '/officer/passports/:caseId/photo',
    url: async (f) => `/officer/passports/${await caseAt(f)}/photo`,
    roles: ALL,
    postScoped: true,
    allowed: 404,
  },
  ...(['print', 'dispatch', 'ready', 'collect'] as const).map((step): OfficerRouteCase => ({
    method: 'POST',
    route: `/officer/passports/:caseId/${step}`,
    url: async (f) => `/officer/passports/${await caseAt(f)}/${step}`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  })),
  // abtc: pre-clearance answers, issuing and refusing the card (post-scoped; a missing version is 400)
  {
    method: 'GET',
    route: '/officer/abtc/:caseId',
    url: async (f) => `/officer/abtc/${await abtcCaseAt(f)}`,
    roles: ALL,
    postScoped: true,
    allowed: 200,
  },
  {
    method: 'POST',
    route: '/officer/abtc/:caseId/clearances',
    url: async (f) => `/officer/abtc/${await abtcCaseAt(f)}/clearances`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/abtc/:caseId/issue',
    url: async (f) => `/officer/abtc/${await abtcCaseAt(f)}/issue`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
  {
    method: 'POST',
    route: '/officer/abtc/:caseId/refuse',
    url: async (f) => `/officer/abtc/${await abtcCaseAt(f)}/refuse`,
    roles: ALL,
    postScoped: true,
    allowed: 400,
  },
];
