import { DeleteQuerySchema } from '../../schemas/api/route-spec';
import type * as z from '../../schemas/zod';
import { lazy } from '../../schemas/lazy';
import type { RecordDefinition } from '../../schemas/records';
import type { ApiRoute } from '../platform/api-handler';
import { metrics } from '../platform/observability';
import { listRecords, type ListQuery } from './record-lists';
import { createRecord, deleteRecord, getRecord, updateRecord } from './record-store';
import { parseInput } from '../platform/validation';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The five record routes (create, read, list, update, soft delete) over any record type: a domain's
 * router binds them to its record definitions.
 */
export const createRecordRoute = (def: RecordDefinition): ApiRoute => async (request) => {
  const record = await createRecord(def, request.principal(), request.body(), request.now);
  metrics.addMetric(`${def.plural}Created`, MetricUnit.Count, 1);
  return { status: 201, body: record };
};

export const getRecordRoute = (def: RecordDefinition): ApiRoute => async (request) => ({
  status: 200,
  body: await getRecord(def, request.principal(), request.path('id')),
});

type View = (item: Record<string, unknown>) => Record<string, unknown>;
/**
 * `buildQuerySchema`: the list's query as the catalogue gives it (its filters, and `q` where the type is
 * searchable), built at the list's first request, not at the function's cold start; `view`: what a client sees of each item (records with workflow attributes hide those).
 */
export const listRecordsRoute = (def: RecordDefinition, buildQuerySchema: () => z.ZodMiniType, view?: View): ApiRoute => {
  const querySchema = lazy(buildQuerySchema);
  return async (request) => {
    const query = parseInput(querySchema(), request.query, 'query') as ListQuery;
    const page = await listRecords(def, request.principal(), query);
    return { status: 200, body: view ? { ...page, items: page.items.map(view) } : page };
  };
};

export const updateRecordRoute = (def: RecordDefinition): ApiRoute => async (request) => ({
  status: 200,
  body: await updateRecord(def, request.principal(), request.path('id'), request.body(), request.now),
});

export const deleteRecordRoute = (def: RecordDefinition): ApiRoute => async (request) => {
  const { version } = parseInput(DeleteQuerySchema, request.query, 'query');
  return { status: 200, body: await deleteRecord(def, request.principal(), request.path('id'), version, request.now) };
};

