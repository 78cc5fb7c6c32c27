import type { Role } from '@app/platform';

export interface DemoOfficer {
  username: string;
  displayName: string;
  role: Role;
  postCode: string;
  password: string;
  totpSecret: string;
}

/**
 * The demo officers: one per role at a post (Los Angeles), and an officer at headquarters, whose
 * queue holds every post's cases (eVisas go to the applicant's own country's post). Seeded only when
 * NODE_ENV=development and printed by `npm run seed` and `npm run dev`. Well known on purpose: never
 * seeded in test or production.
 */
export const DEMO_OFFICERS: readonly DemoOfficer[] = [
  {
    username: 'demo.officer',
    displayName: 'Demo Officer (Los Angeles)',
    role: 'officer',
    postCode: 'US-LAX',
    password: 'demo officer passphrase',
    totpSecret: 'OCOMIWJLCMCHM4PXHNVLWXXG22YBD6M3',
  },
  {
    username: 'demo.hq',
    displayName: 'Demo Officer (HQ)',
    role: 'officer',
    postCode: 'HQ-TPE',
    password: 'demo hq passphrase',
    totpSecret: 'MH6V4QVBQ464KKZXAIRBZO5JOP2NODVX',
  },
  {
    username: 'demo.supervisor',
    displayName: 'Demo Supervisor (Los Angeles)',
    role: 'supervisor',
    postCode: 'US-LAX',
    password: 'demo supervisor passphrase',
    totpSecret: 'QKHXN5CT24QVK5XB4FMWG7N7I2KNNPCR',
  },
  {
    username: 'demo.admin',
    displayName: 'Demo Administrator (HQ)',
    role: 'admin',
    postCode: 'HQ-TPE',
    password: 'demo admin passphrase',
    totpSecret: '2GW2CJJJJIC5QL46HB65DVM2X2F36KDD',
  },
];

/**
 * Which demo officer takes each service from the application to the decision, and what the
 * applicant chooses so that the case reaches them. Applicants need no account: they follow their
 * case at /status.
 */
export const DEMO_SERVICES: readonly { service: string; username: string; how: string }[] = [
  { service: 'eVisa', username: 'demo.hq', how: "any nationality: it goes to that country's post, and HQ sees every post" },
  { service: 'passport', username: 'demo.officer', how: 'apply at US-LAX; demo.hq prints and dispatches it, demo.officer hands it over' },
  { service: 'document authentication', username: 'demo.officer', how: 'apply at US-LAX' },
  { service: 'ABTC', username: 'demo.hq', how: 'every card is processed at HQ-TPE' },
  { service: 'emergency help', username: 'demo.officer', how: 'report to US-LAX' },
];

/** The lines `npm run seed` and `npm run dev` print. */
export function describeDemoOfficers(): string[] {
  const passwordWidth = Math.max(...DEMO_OFFICERS.map((o) => o.password.length)) + 2;
  return [
    'Demo officers (development only): sign in at /officer/sign-in; add the TOTP secret to an authenticator app:',
    ...DEMO_OFFICERS.map(
      (o) =>
        `  ${o.role.padEnd(10)} ${o.username.padEnd(16)} password ${`"${o.password}"`.padEnd(passwordWidth)}  post ${o.postCode}  TOTP secret ${o.totpSecret}`,
    ),
    'Which officer for which service (applicants need no account; they follow their case at /status):',
    ...DEMO_SERVICES.map((s) => `  ${s.service.padEnd(25)} ${s.username.padEnd(13)} ${s.how}`),
  ];
}
