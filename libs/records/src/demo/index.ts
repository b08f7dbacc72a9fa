import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { CompiledEntity } from '@crm/metadata';
import { type Dataset, assertDataset } from './dataset';
import type { FieldInfo } from './plan';

export * from './dataset';
export * from './plan';
export * from './write';

/** demo/dataset.yaml, parsed and checked against the live entities. */
export function readDataset(
  dir: string,
  entities: ReadonlyMap<string, CompiledEntity>,
): { dataset: Dataset; fields: Map<string, Record<string, FieldInfo>> } {
  const file = path.join(dir, 'dataset.yaml');
  const dataset = assertDataset(parse(fs.readFileSync(file, 'utf8')), file, entities);
  const fields = new Map<string, Record<string, FieldInfo>>();
  for (const de of dataset.entities) fields.set(de.entity, entities.get(de.entity)!.fields);
  return { dataset, fields };
}
