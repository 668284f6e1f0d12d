import { useQuery } from '@tanstack/react-query';
import { api } from './api/client';
import type { User } from './api/endpoints';

/** Everyone's name by id (the user directory is readable by all), so pages never show a bare id. */
export function usePeople() {
  const query = useQuery({
    queryKey: ['users'],
    queryFn: async () => (await api('GET /users', { query: { limit: 100 } })).items,
    staleTime: 5 * 60_000,
  });
  const byId = new Map<string, User>((query.data ?? []).map((u) => [u.id, u]));
  return {
    users: query.data ?? [],
    name: (id: string | undefined) => (id === undefined ? '' : id === 'engine' || id === 'deadline' ? 'the workflow (deadline)' : byId.get(id)?.name ?? id),
  };
}
