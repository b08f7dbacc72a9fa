import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { type ProcessModel, readProcessModel } from './processModel';

/** A deployed version's XML: the diagram, and the approval settings the panels read. */
export function useProcessXml(key: string | undefined, version: number | undefined) {
  return useQuery({
    queryKey: ['bpmn', key, version],
    enabled: !!key && version !== undefined,
    staleTime: Infinity,
    queryFn: async () =>
      ok(
        await api.GET('/api/workflow/definitions/{key}/xml', {
          params: { path: { key: key! }, query: { version: version! } },
          parseAs: 'text',
        }),
      ) as unknown as string,
  });
}

/** The process of a deployed version, parsed once per version. */
export function useProcessModel(
  key: string | undefined,
  version: number | undefined,
): { xml: ReturnType<typeof useProcessXml>; model: ProcessModel | null } {
  const xml = useProcessXml(key, version);
  const model = useMemo(
    () => (xml.data && key ? readProcessModel(xml.data, key) : null),
    [xml.data, key],
  );
  return { xml, model };
}
