// The table's keys, one module per domain, re-exported here so that `schemas/keys` stays the one import path.
export * from './table';
export * from './records';
export * from './inbound';
export * from './links';
export * from './promotions';
export * from './approvals';
export * from './nurture';
export * from './tickets';
export * from './outbox';
export * from './measures';
export * from './demo-data';
export * from './handover';
