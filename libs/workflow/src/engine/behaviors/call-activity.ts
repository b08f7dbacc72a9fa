import { StepIncident } from '../expressions';
import { plainVariables } from '../variables';
import type { ActivityBehavior } from './types';

/**
 * A call activity starts the called process's latest version (or the pinned `versionTag`) as a
 * child instance in the same transaction. Variables in, as Zeebe passes them: unless
 * `propagateAllParentVariables="false"`, every variable the call activity sees, with its input
 * mappings on top; with it false, only the input mappings. The child's end completes the call
 * activity (InstanceStep.end); its errors reach the call activity's boundary events.
 */
export const callActivity: ActivityBehavior = {
  async execute(s, exec, node) {
    const c = s.scopeVars(exec);
    const key = String(s.attr(node.called!.processId, c, node.id));
    const pinned = node.called!.bindingType === 'versionTag' ? node.called!.versionTag : undefined;
    const version = pinned ? Number(String(pinned).replace(/^v/i, '')) : undefined;
    const rows = await s.tx.query<{ id: number; version: number; executable: number | boolean }>(
      `SELECT id, version, executable FROM crm_wf_definition WHERE process_key = ?${version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
      version ? [key, version] : [key],
    );
    if (!rows.length || !(Number(rows[0].executable) === 1 || rows[0].executable === true))
      throw new StepIncident(
        'called-element',
        `call activity ${node.id}: no executable process "${key}"${version ? ` version ${version}` : ''}`,
      );
    s.park(exec, 'waiting');
    const mapped = node.inputs.length ? { ...(exec.vars ?? {}) } : {};
    const input = node.called!.propagateAllParentVariables
      ? { ...plainVariables(c), ...mapped }
      : mapped;
    await s.ctx.startInstance({
      definitionId: Number(rows[0].id),
      processKey: key,
      version: Number(rows[0].version),
      variables: input,
      businessKey: s.row.business_key,
      record: s.recordRef,
      parent: { instanceId: s.id, executionId: await s.idOf(exec) },
    });
  },
};
