import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { RoleSchema, type Role } from '../../schemas/common';
import { recordKey } from '../../schemas/keys';
import { forbidden, unauthenticated } from './errors';
import { documentClient, tableName } from './table';

/**
 * Who is calling: the user the verified token names, as their user record says now. The token only
 * says who they are; their status, roles and department come from the record, so a deactivation, a
 * deletion or a move to another team holds for the token they already have.
 */
export interface Principal {
  userId: string;
  roles: Role[];
  departmentId: string;
  email?: string;
}

/**
 * How long an API function keeps what it read of a user. A person's page loads several routes at once;
 * within this they cost one read of their record, not one each. It is also the longest a change to the
 * user (deactivated, another role) waits to reach a function that read them just before, far inside the
 * hour an ID token lives. The records function, which makes those changes, forgets its copy at once.
 */
export const PRINCIPAL_CACHE_SECONDS = 30;
/** More users than one function instance serves in a cache period; past it the oldest are dropped. */
const MAX_CACHED_USERS = 1000;

type UserItem = Record<string, unknown> | undefined;
const cache = new Map<string, { item: UserItem; until: number }>();

/** The user the token names: the pool's username (the user record's id). */
export function tokenUserId(event: APIGatewayProxyEventV2WithJWTAuthorizer): string {
  const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
  const userId = claims['cognito:username'] ?? claims.sub;
  if (typeof userId !== 'string' || !userId) throw unauthenticated('the token names no user');
  return userId;
}

async function readUser(userId: string): Promise<UserItem> {
  const now = Date.now();
  const cached = cache.get(userId);
  if (cached && cached.until > now) return cached.item;
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey('USER', userId), ConsistentRead: true }));
  cache.delete(userId);
  if (cache.size >= MAX_CACHED_USERS) cache.delete(cache.keys().next().value!);
  cache.set(userId, { item: Item, until: now + PRINCIPAL_CACHE_SECONDS * 1000 });
  return Item;
}

/** Drops what this function instance read of a user, so its next request reads their record afresh. */
export function forgetPrincipal(userId: string): void {
  cache.delete(userId);
}

/** The user record of the token's user as a principal: 401 for a user the CRM does not have, 403 for an inactive one. */
export function principalOf(userId: string, user: UserItem): Principal {
  if (!user || user.deletedAt) throw unauthenticated(`the token's user ${userId} is not a user of this CRM${user?.deletedAt ? ' (deleted)' : ''}`);
  if (user.status !== 'active') throw forbidden(`user ${userId} is inactive; an admin can make them active again`);
  const roles = (Array.isArray(user.roles) ? user.roles : []).filter((role): role is Role => RoleSchema.safeParse(role).success);
  if (roles.length === 0) throw forbidden(`user ${userId} has no role`);
  if (typeof user.departmentId !== 'string' || !user.departmentId) throw forbidden(`user ${userId} belongs to no department`);
  return { userId, roles, departmentId: user.departmentId, ...(typeof user.email === 'string' ? { email: user.email } : {}) };
}

/** The caller of a signed-in route: the token's user, from their record (cached briefly, see PRINCIPAL_CACHE_SECONDS). */
export async function resolvePrincipal(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<Principal> {
  const userId = tokenUserId(event);
  return principalOf(userId, await readUser(userId));
}
