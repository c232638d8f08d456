export type Role = 'ADMIN' | 'ORG_STAFF' | 'APPLICANT';
export const ROLES: readonly Role[] = ['ADMIN', 'ORG_STAFF', 'APPLICANT'];

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; sub: string; role: 'ADMIN' }
  | { kind: 'user'; sub: string; role: 'ORG_STAFF'; organizationId: string }
  | { kind: 'user'; sub: string; role: 'APPLICANT'; iin: string };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export const isAdmin = (p: Principal): boolean => p.kind === 'user' && p.role === 'ADMIN';
export const staffOrg = (p: Principal): string | null => (p.kind === 'user' && p.role === 'ORG_STAFF' ? p.organizationId : null);
export const applicantIin = (p: Principal): string | null => (p.kind === 'user' && p.role === 'APPLICANT' ? p.iin : null);
export const actorOf = (p: Principal): string => (p.kind === 'user' ? `${p.role}:${p.sub}` : 'anonymous');
