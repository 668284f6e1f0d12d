import type { Role } from '../../schemas/common';

/**
 * The demo company's people: one user per role, plus a second sales rep in another branch so that the
 * department rules can be seen. The local JWT issuer signs tokens for exactly these users, and the demo
 * data stores them as user records.
 */
export interface DemoUser {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  departmentId: string;
  timeZone: string;
}

export const DEMO_USERS: DemoUser[] = [
  { id: 'u-admin', name: 'Ada Admin', email: 'admin@tradeflow.example', roles: ['admin'], departmentId: 'd-company', timeZone: 'Europe/Berlin' },
  { id: 'u-ops', name: 'Otto Ops', email: 'ops@tradeflow.example', roles: ['ops'], departmentId: 'd-ops', timeZone: 'Europe/Berlin' },
  { id: 'u-marketing', name: 'Mara Marketing', email: 'marketing@tradeflow.example', roles: ['marketing'], departmentId: 'd-marketing', timeZone: 'Europe/Berlin' },
  { id: 'u-finance', name: 'Fin Finance', email: 'finance@tradeflow.example', roles: ['finance'], departmentId: 'd-finance', timeZone: 'Europe/Berlin' },
  { id: 'u-sales', name: 'Sam Sales', email: 'sales@tradeflow.example', roles: ['sales'], departmentId: 'd-north', timeZone: 'Europe/Berlin' },
  { id: 'u-sales-south', name: 'Sofia South', email: 'sales.south@tradeflow.example', roles: ['sales'], departmentId: 'd-south', timeZone: 'Europe/Madrid' },
  // the approvers of the seed approval policies (./approval-policies.ts)
  { id: 'u-north-manager', name: 'Nora North', email: 'manager.north@tradeflow.example', roles: ['sales'], departmentId: 'd-north', timeZone: 'Europe/Berlin' },
  { id: 'u-south-manager', name: 'Diego South', email: 'manager.south@tradeflow.example', roles: ['sales'], departmentId: 'd-south', timeZone: 'Europe/Madrid' },
  { id: 'u-sales-director', name: 'Dora Director', email: 'sales.director@tradeflow.example', roles: ['sales'], departmentId: 'd-company', timeZone: 'Europe/Berlin' },
  { id: 'u-finance-director', name: 'Felix Finance', email: 'finance.director@tradeflow.example', roles: ['finance'], departmentId: 'd-finance', timeZone: 'Europe/Berlin' },
  // Customer Care: an agent and the team's manager (a ticket's first escalation)
  { id: 'u-service', name: 'Cara Care', email: 'care@tradeflow.example', roles: ['service'], departmentId: 'd-care', timeZone: 'Europe/Berlin' },
  { id: 'u-care-manager', name: 'Carl Care', email: 'manager.care@tradeflow.example', roles: ['service'], departmentId: 'd-care', timeZone: 'Europe/Berlin' },
];

/** `npm start` prints a token command per role; the role's first user is the one it signs for. */
export const demoUserFor = (idOrRole: string) =>
  DEMO_USERS.find((u) => u.id === idOrRole) ?? DEMO_USERS.find((u) => u.roles.includes(idOrRole as Role));
