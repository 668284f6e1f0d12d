import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_COLLECTION, ALL_INDEX_ATTRIBUTES, APPROVAL_AUDIT_TYPE, APPROVAL_POLICY_TYPE, APPROVAL_REQUEST_TYPE, APPROVAL_SK, APPROVAL_TASK_TYPE,
  ATTRIBUTION_PREFIX, approvalAuditKey, approvalInboxKeys, approvalPolicyHeadKey, approvalPolicyIndexKeys, approvalPolicyVersionKey,
  approvalRequestIndexKeys, approvalRequestKey, approvalRequestPk, approvalTaskKey, attributionKey, collectionPk, demoDataMarkerKey,
  effectReportKey, evidenceRefKey, FUND_LEDGER_PREFIX, fundLedgerKey, INBOUND_IDEMPOTENCY, INDEX_NAMES, indexKeyAttributes, itemFor, listPk,
  NURTURE_ENROLMENT_PREFIX, NURTURE_SEQUENCE_TYPE, nurtureKeys, PROMOTION_COLLECTION, QUARANTINED_EVENT_TYPE, quarantinedEventItem, RECORD_SK,
  recordKey, statusOf, SUB_DEPARTMENT_PREFIX, uniqueValueKey, usedLinkKey,
} from '../../schemas/keys';

// The items already in the table were written with these keys: each is pinned to the letter, so moving
// or reshaping a key builder can never change the data silently.

describe('index names and attributes', () => {
  it('are the six indexes, each keyed <name>Pk/<name>Sk', () => {
    expect(INDEX_NAMES).toEqual(['byCollection', 'byOwner', 'byDepartment', 'byStatus', 'byRegion', 'byType']);
    expect(indexKeyAttributes('byStatus')).toEqual({ pk: 'byStatusPk', sk: 'byStatusSk' });
    expect(ALL_INDEX_ATTRIBUTES).toEqual([
      'byCollectionPk', 'byCollectionSk', 'byOwnerPk', 'byOwnerSk', 'byDepartmentPk', 'byDepartmentSk',
      'byStatusPk', 'byStatusSk', 'byRegionPk', 'byRegionSk', 'byTypePk', 'byTypeSk',
    ]);
  });

  it('list partitions by owner, department, status, region (lower case) and type', () => {
    expect([listPk.byOwner('LEAD', 'u1'), listPk.byDepartment('LEAD', 'd1'), listPk.byStatus('LEAD', 'new'), listPk.byRegion('LEAD', 'North'), listPk.byType('LEAD')])
      .toEqual(['OWNER#u1#LEAD', 'DEPARTMENT#d1#LEAD', 'LEAD#STATUS#new', 'LEAD#REGION#north', 'LEAD']);
  });
});

describe('record keys', () => {
  it('key a record by type and id, and its collections by parent', () => {
    expect(RECORD_SK).toBe('RECORD');
    expect(recordKey('ACCOUNT', 'a1')).toEqual({ pk: 'ACCOUNT#a1', sk: 'RECORD' });
    expect(ACCOUNT_COLLECTION).toEqual({
      account: '4#ACCOUNT', contact: '3#CONTACT#', openOpportunity: '2#OPPORTUNITY#', activity: '1#ACTIVITY#', closedOpportunity: '0#OPPORTUNITY#', ticket: '0#TICKET#', shownFrom: '1',
    });
    expect(SUB_DEPARTMENT_PREFIX).toBe('DEPARTMENT#');
    expect(PROMOTION_COLLECTION).toEqual({ claim: 'CLAIM#' });
    expect([collectionPk.account('x'), collectionPk.lead('x'), collectionPk.department('x'), collectionPk.campaign('x'), collectionPk.promotion('x')])
      .toEqual(['ACCOUNT#x', 'LEAD#x', 'DEPARTMENT#x', 'CAMPAIGN#x', 'PROMOTION#x']);
    expect([statusOf({ stage: 'won', status: 'x' }), statusOf({ status: 'x' })]).toEqual(['won', 'x']);
  });

  it('hold unique values, e-mail addresses whatever their case', () => {
    expect(uniqueValueKey('USER', 'email', 'A@B.com')).toEqual({ pk: 'UNIQUE#USER#email#a@b.com', sk: 'UNIQUE' });
    expect(uniqueValueKey('ACCOUNT', 'code', 'Ab')).toEqual({ pk: 'UNIQUE#ACCOUNT#code#Ab', sk: 'UNIQUE' });
  });

  it('index users, sub-departments, a lead\'s activities, promotions and claims in their collections', () => {
    expect(itemFor('USER', { id: 'u1', departmentId: 'd1', name: 'Ann', status: 'active' })).toEqual({
      id: 'u1', departmentId: 'd1', name: 'Ann', status: 'active', recordType: 'USER', pk: 'USER#u1', sk: 'RECORD',
      byCollectionPk: 'DEPARTMENT#d1', byCollectionSk: 'USER#u1', byDepartmentPk: 'DEPARTMENT#d1#USER', byDepartmentSk: 'ann#u1',
      byStatusPk: 'USER#STATUS#active', byStatusSk: 'ann#u1', byTypePk: 'USER', byTypeSk: 'ann#u1',
    });
    expect(itemFor('DEPARTMENT', { id: 'd2', parentId: 'd1', name: 'North' })).toMatchObject({
      pk: 'DEPARTMENT#d2', byCollectionPk: 'DEPARTMENT#d1', byCollectionSk: 'DEPARTMENT#d2', byTypePk: 'DEPARTMENT', byTypeSk: 'north#d2',
    });
    expect(itemFor('ACTIVITY', { id: 't1', leadId: 'l1', occurredAt: '2026-01-01T00:00:00Z' })).toMatchObject({
      byCollectionPk: 'LEAD#l1', byCollectionSk: '1#ACTIVITY#2026-01-01T00:00:00Z#t1', byTypeSk: '2026-01-01T00:00:00Z#t1',
    });
    expect(itemFor('PROMOTION', { id: 'p1', campaignId: 'c1', status: 'draft', name: 'Summer' })).toMatchObject({
      byCollectionPk: 'CAMPAIGN#c1', byCollectionSk: 'PROMOTION#p1', byStatusPk: 'PROMOTION#STATUS#draft', byStatusSk: 'summer#p1',
    });
    expect(itemFor('CLAIM', { id: 'k1', promotionId: 'p1', createdAt: '2026' })).toMatchObject({
      byCollectionPk: 'PROMOTION#p1', byCollectionSk: 'CLAIM#k1', byTypePk: 'CLAIM', byTypeSk: '2026#k1',
    });
    // an account's search text: name, code and city, one a line, lower case without accents
    expect(itemFor('ACCOUNT', { id: 'a1', code: 'NORDIC-DIST', name: 'Nordic  Distribution GmbH', city: 'Lübeck' })).toMatchObject({
      searchText: 'nordic distribution gmbh\nnordic-dist\nlubeck',
    });
    // a lead's: first and last name, company and e-mail; a product takes no search
    expect(itemFor('LEAD', { id: 'l1', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', email: 'Ada@Example.com' })).toMatchObject({
      searchText: 'ada\nlovelace\nanalytical engines\nada@example.com',
    });
    expect(itemFor('PRODUCT', { id: 'x1', name: 'Water' })).not.toHaveProperty('searchText');
  });
});

describe('inbound event keys', () => {
  it('keep one receipt per system and idempotency key, and quarantined events newest first by type', () => {
    expect(INBOUND_IDEMPOTENCY.sk('erp', 'hash-1')).toBe('INBOUND#erp#hash-1');
    expect(INBOUND_IDEMPOTENCY.pk).toBe('INBOUND_IDEMPOTENCY');
    expect(QUARANTINED_EVENT_TYPE).toBe('QUARANTINED_EVENT');
    expect(quarantinedEventItem('q1', '2026-01-01T00:00:00Z', { reason: 'bad' })).toEqual({
      pk: 'QUARANTINE#q1', sk: 'EVENT', byTypePk: 'QUARANTINED_EVENT', byTypeSk: '2026-01-01T00:00:00Z#q1', id: 'q1', receivedAt: '2026-01-01T00:00:00Z', reason: 'bad',
    });
  });
});

describe('signed-link and demo-data keys', () => {
  it('mark a used link and the loaded demo data', () => {
    expect(usedLinkKey('l1')).toEqual({ pk: 'LINK#l1', sk: 'USED' });
    expect(demoDataMarkerKey).toEqual({ pk: 'LOCAL#demo-data', sk: 'LOADED' });
  });
});

describe('trade-promotion keys', () => {
  it('put ledger lines, attributions and the effect report beside their fund, campaign or promotion', () => {
    expect(FUND_LEDGER_PREFIX).toBe('LEDGER#');
    expect(fundLedgerKey('f1', 'm1')).toEqual({ pk: 'FUND#f1', sk: 'LEDGER#m1' });
    expect(ATTRIBUTION_PREFIX).toBe('ATTRIBUTED#');
    expect(attributionKey('CAMPAIGN', 'c1', 'payment', 'PAY-1')).toEqual({ pk: 'CAMPAIGN#c1', sk: 'ATTRIBUTED#payment#PAY-1' });
    expect(effectReportKey('PROMOTION', 'p1')).toEqual({ pk: 'PROMOTION#p1', sk: 'EFFECT_REPORT' });
    expect(evidenceRefKey('INV-1')).toEqual({ pk: 'UNIQUE#CLAIM#evidenceRef#inv-1', sk: 'UNIQUE' });
  });
});

describe('approval keys', () => {
  it('keep policy heads and versions, and a request with its tasks and audit in one collection', () => {
    expect([APPROVAL_POLICY_TYPE, APPROVAL_REQUEST_TYPE, APPROVAL_TASK_TYPE, APPROVAL_AUDIT_TYPE]).toEqual(['APPROVAL_POLICY', 'APPROVAL', 'APPROVAL_TASK', 'APPROVAL_AUDIT']);
    expect(APPROVAL_SK).toEqual({ request: 'REQUEST', taskPrefix: 'TASK#', auditPrefix: 'AUDIT#', policyHead: 'HEAD', policyVersionPrefix: 'VERSION#' });
    expect(approvalPolicyHeadKey('pa')).toEqual({ pk: 'APPROVAL_POLICY#pa', sk: 'HEAD' });
    expect(approvalPolicyVersionKey('pa', 12)).toEqual({ pk: 'APPROVAL_POLICY#pa', sk: 'VERSION#000012' });
    expect(approvalPolicyIndexKeys('pa')).toEqual({ byTypePk: 'APPROVAL_POLICY', byTypeSk: 'pa' });
    expect(approvalRequestPk('r1')).toBe('APPROVAL#r1');
    expect(approvalRequestKey('r1')).toEqual({ pk: 'APPROVAL#r1', sk: 'REQUEST' });
    expect(approvalRequestIndexKeys({ requestId: 'r1', submitterId: 'u1', status: 'pending', createdAt: '2026-01-01T00:00:00Z' })).toEqual({
      byOwnerPk: 'OWNER#u1#APPROVAL', byOwnerSk: '2026-01-01T00:00:00Z#r1', byStatusPk: 'APPROVAL#STATUS#pending', byStatusSk: '2026-01-01T00:00:00Z#r1',
    });
    expect(approvalTaskKey('r1', 't1')).toEqual({ pk: 'APPROVAL#r1', sk: 'TASK#t1' });
    expect(approvalInboxKeys('u2', '2026-01-02T00:00:00Z', 'r1', 't1')).toEqual({ byOwnerPk: 'OWNER#u2#APPROVAL_TASK', byOwnerSk: '2026-01-02T00:00:00Z#r1#t1' });
    expect(approvalAuditKey('r1', '2026-01-01T00:00:00Z', 'e1')).toEqual({ pk: 'APPROVAL#r1', sk: 'AUDIT#2026-01-01T00:00:00Z#e1' });
  });
});

describe('nurture keys', () => {
  it('keep sequences, enrolments, claims on steps, suppressions, decisions and conversions', () => {
    expect([NURTURE_SEQUENCE_TYPE, NURTURE_ENROLMENT_PREFIX]).toEqual(['NURTURE_SEQUENCE', 'NURTURE#']);
    const n = nurtureKeys;
    expect(n.sequenceHead('s1')).toEqual({ pk: 'NURTURE_SEQUENCE#s1', sk: 'HEAD' });
    expect(n.sequenceVersion('s1', 3)).toEqual({ pk: 'NURTURE_SEQUENCE#s1', sk: 'VERSION#000003' });
    expect(n.sequenceStats('s1')).toEqual({ pk: 'NURTURE_SEQUENCE#s1', sk: 'STATS' });
    expect(n.sequenceHeadIndexes('s1', 'active', 'Webinar Welcome')).toEqual({
      byStatusPk: 'NURTURE_SEQUENCE#STATUS#active', byStatusSk: 'webinar welcome#s1', byTypePk: 'NURTURE_SEQUENCE', byTypeSk: 'webinar welcome#s1',
    });
    expect(n.enrolment('e1')).toEqual({ pk: 'NURTURE_ENROLMENT#e1', sk: 'ENROLMENT' });
    expect(n.leadInSequence('l1', 's1')).toEqual({ pk: 'NURTURE_LEAD#l1', sk: 'SEQUENCE#s1' });
    expect(n.enrolmentIndexes('l1', 's1', '2026-01-01T00:00:00Z', 'e1')).toEqual({ byCollectionPk: 'LEAD#l1', byCollectionSk: 'NURTURE#s1#2026-01-01T00:00:00Z#e1' });
    expect([n.enrolmentsOfLead('s1'), n.enrolmentsOfLead()]).toEqual(['NURTURE#s1#', 'NURTURE#']);
    expect(n.enrolmentEvent('e1', '2026', 'sent')).toEqual({ pk: 'NURTURE_ENROLMENT#e1', sk: 'EVENT#2026#sent' });
    expect(n.enrolmentEventPrefix).toBe('EVENT#');
    expect(n.stepClaim('e1', 'welcome')).toEqual({ pk: 'NURTURE_ENROLMENT#e1', sk: 'STEP#welcome' });
    expect(n.suppression('A@B.com')).toEqual({ pk: 'NURTURE_SUPPRESSION#a@b.com', sk: 'SUPPRESSION' });
    expect(n.decision('l1', 's1')).toEqual({ pk: 'NURTURE_DECISION#l1', sk: 'SEQUENCE#s1' });
    expect(n.decisionPk('l1')).toBe('NURTURE_DECISION#l1');
    expect(n.conversion('c1', 's1', 'l1')).toEqual({ pk: 'CAMPAIGN_CONVERSIONS#c1', sk: 's1#l1' });
    expect(n.conversion(undefined, 's1', 'l1')).toEqual({ pk: 'CAMPAIGN_CONVERSIONS#none', sk: 's1#l1' });
    expect(n.conversionsOfCampaign('c1')).toBe('CAMPAIGN_CONVERSIONS#c1');
  });
});
