import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { RoleSchema, type Role } from '../../schemas/common';
import { unauthenticated } from './errors';

/** Who is calling: read from the ID token's claims that the JWT authorizer already verified. */
export interface Principal {
  userId: string;
  roles: Role[];
  departmentId: string;
  email?: string;
}

/** API Gateway flattens array claims to a string such as "[admin sales]"; accept both forms. */
function groupsFrom(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}

export function principalFrom(event: APIGatewayProxyEventV2WithJWTAuthorizer): Principal {
  const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
  const userId = claims['cognito:username'] ?? claims.sub;
  const departmentId = claims['custom:departmentId'];
  const roles = groupsFrom(claims['cognito:groups']).filter((g): g is Role => RoleSchema.safeParse(g).success);
  if (typeof userId !== 'string' || !userId) throw unauthenticated('the token names no user');
  if (typeof departmentId !== 'string' || !departmentId) throw unauthenticated('the token names no department (custom:departmentId)');
  if (roles.length === 0) throw unauthenticated('the token carries no role (cognito:groups)');
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  return { userId, roles, departmentId, ...(email ? { email } : {}) };
}
