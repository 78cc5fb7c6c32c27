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
 * One officer per role, seeded only when NODE_ENV=development and printed by `npm run seed` and
 * `npm run dev`. Well known on purpose: never seeded in test or production.
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

/** The lines `npm run seed` and `npm run dev` print. */
export function describeDemoOfficers(): string[] {
  return [
    'Demo officers (development only) — sign in at /officer/sign-in; add the TOTP secret to an authenticator app:',
    ...DEMO_OFFICERS.map(
      (o) => `  ${o.role.padEnd(10)} ${o.username.padEnd(16)} password "${o.password}"  post ${o.postCode}  TOTP secret ${o.totpSecret}`,
    ),
  ];
}
