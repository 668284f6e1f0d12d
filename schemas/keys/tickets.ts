/**
 * Service tickets are records (./records); their teams' SLA policies live in one partition, one item per
 * team (each change a new version on the same item, its history in the versions' own items), so the
 * intake team is found with one Query.
 */
export const SLA_POLICY_PK = 'SLA_POLICY';
export const slaPolicyKey = (teamId: string) => ({ pk: SLA_POLICY_PK, sk: `TEAM#${teamId}` });
/** An SLA policy version as it was written: a ticket names the version it runs under. */
export const slaPolicyVersionKey = (teamId: string, version: number) => ({ pk: `${SLA_POLICY_PK}#${teamId}`, sk: `VERSION#${String(version).padStart(6, '0')}` });
