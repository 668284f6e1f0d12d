export * from './account';
export * from './contact';
export * from './lead';
export * from './opportunity';
export * from './activity';
export * from './product';
export * from './user';
export * from './department';
export type { RecordDefinition } from './define';
