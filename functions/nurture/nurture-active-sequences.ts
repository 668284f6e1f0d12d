import { nurtureKeys } from '../../schemas/keys';
import type { NurtureSequence, SequenceHead } from '../../schemas/nurture/sequence';
import { getItems } from '../platform/table';
import { activeHeads, readSequencesGeneration, readVersion } from './nurture-store';

/** An active sequence as the router enrols with it: its head and the document of the version in force. */
export interface ActiveSequence {
  head: SequenceHead;
  version: number;
  sequence: NurtureSequence;
}

let cached: { generation: number; sequences: ActiveSequence[] } | undefined;

/**
 * The active sequences, kept by the function instance between invocations. Every call reads the
 * sequences' generation item (one consistent GetItem): any sequence change bumps it in the change's own
 * transaction, so the next enrolment after a change, in whichever instance, sees it. The heads are read
 * by key (consistent), never from the status index, which lags the table.
 */
export async function activeSequences(): Promise<ActiveSequence[]> {
  const generation = await readSequencesGeneration();
  if (cached && generation && cached.generation === generation.generation) return cached.sequences;
  const byKey = await getItems((generation?.sequenceIds ?? []).map((id) => nurtureKeys.sequenceHead(id)));
  const heads = [...byKey.values()] as unknown as SequenceHead[];
  // sequences last changed before the generation item existed are known only to the status index
  const known = new Set(heads.map((h) => h.sequenceId));
  heads.push(...(await activeHeads()).filter((h) => !known.has(h.sequenceId)));
  const sequences: ActiveSequence[] = [];
  for (const head of heads.filter((h) => h.status === 'active')) {
    const version = head.activeVersion ?? head.latestVersion;
    const sequence = await readVersion(head.sequenceId, version);
    if (sequence) sequences.push({ head, version, sequence });
  }
  cached = generation ? { generation: generation.generation, sequences } : undefined;
  return sequences;
}
