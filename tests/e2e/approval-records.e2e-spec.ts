import { DIALECTS, type TestServer, USER_PASSWORD, bpmn, startServer } from './support/harness';

/**
 * Processes tied to records (issue 9, "Tied to records"): `trigger` documents start processes on
 * record writes — every path, in the write's transaction — and on buttons; the engine locks a
 * record while an approval bound to it runs, except the fields the current node opens to its
 * approvers; the outcome is written back with the final step; a cancel puts the record back.
 */
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const OFFER = `
kind: entity
name: offer
label: ${label('Offer')}
displayField: name
fields:
  name: { type: text, label: ${label('Name')}, required: true }
  amount: { type: integer, label: ${label('Amount')}, min: 0 }
  discount: { type: percent, label: ${label('Discount')}, min: 0, max: 100, default: 0 }
  remark: { type: text, label: ${label('Remark')} }
  status:
    type: select
    label: ${label('Status')}
    default: draft
    options:
      - { value: draft, label: ${label('Draft')} }
      - { value: inApproval, label: ${label('In approval')} }
      - { value: approved, label: ${label('Approved')} }
      - { value: rejected, label: ${label('Rejected')} }
  decidedBy: { type: text, label: ${label('Decided by')} }
  decidedAt: { type: datetime, label: ${label('Decided at')} }
`;
const role = (name: string, rules: string) =>
  `kind: role\nname: ${name}\nlabel: ${label(name)}\nrules:\n${rules}`;
const trigger = (name: string, body: string) =>
  `kind: trigger\nname: ${name}\nentity: offer\n${body}`;
const FILES = {
  'offer.yaml': OFFER,
  'roles/seller.yaml': role(
    'seller',
    '  - { action: [read, create, update, delete, start], subject: offer, conditions: { owner: $me } }',
  ),
  // approvers read and may change every offer: the engine's lock narrows that while one runs
  'roles/approver.yaml': role('approver', '  - { action: [read, update], subject: offer }'),
  'triggers/big.yaml': trigger(
    'offer_big',
    'on: created\ncondition: new.amount > 1000\nprocess: big_offer\nvariables: { amount: new.amount, by: actor }',
  ),
  'triggers/discount.yaml': trigger(
    'offer_discount',
    'on: updated\ncondition: old.discount != new.discount and new.discount >= 30\nprocess: discount_watch\nvariables: { from: old.discount, to: new.discount }',
  ),
  'triggers/broken.yaml': trigger(
    'offer_broken',
    'on: updated\ncondition: new.remark = "fail"\nprocess: ghost',
  ),
  'triggers/loop.yaml': trigger(
    'offer_loop',
    'on: updated\ncondition: new.remark = "loop"\nprocess: looper',
  ),
  'triggers/submit.yaml': trigger(
    'offer_submit',
    `on: button\nbutton: { label: { zh-CN: 提交审批, en: Submit for approval } }\nprocess: offer_approval\ncondition: record.status = "draft"`,
  ),
  'triggers/bad.yaml': trigger(
    'offer_bad',
    `on: button\nbutton: { label: ${label('Bad approval')} }\nprocess: bad_outcome\nroles: [seller]`,
  ),
};

const props = (p: Record<string, string>) =>
  `<bpmn:extensionElements><zeebe:properties>${Object.entries(p)
    .map(([k, v]) => `<zeebe:property name="${k}" value="${v}"/>`)
    .join('')}</zeebe:properties></bpmn:extensionElements>`;
const OUTCOME = {
  'outcome.field': 'status',
  'outcome.approved': 'approved',
  'outcome.rejected': 'rejected',
  'outcome.decidedBy': 'decidedBy',
  'outcome.decidedAt': 'decidedAt',
};
const approval = (id: string, properties: Record<string, string>) =>
  bpmn(`<bpmn:process id="${id}" isExecutable="true">${props(properties)}
  <bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="mark"/>
  <bpmn:serviceTask id="mark"><bpmn:extensionElements><zeebe:taskDefinition type="crm:update-record"/><zeebe:taskHeaders><zeebe:header key="status" value="inApproval"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="mark" targetRef="review"/>
  <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="approver"/><zeebe:taskHeaders><zeebe:header key="editableFields" value="discount, remark"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw" default="no"/>
  <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="ok"><bpmn:conditionExpression>=approved = true</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="refused"/>
  <bpmn:endEvent id="ok"/>
  <bpmn:endEvent id="refused">${props({ outcome: 'rejected' })}</bpmn:endEvent>
</bpmn:process>`);
const DIAGRAMS = [
  approval('offer_approval', OUTCOME),
  // its approved value is no status option: the write-back fails validation
  approval('bad_outcome', { ...OUTCOME, 'outcome.approved': 'nonsense' }),
  bpmn(`<bpmn:process id="big_offer" isExecutable="true">${props({ lockRecord: 'false' })}
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="look"/>
  <bpmn:userTask id="look"/><bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process>`),
  bpmn(`<bpmn:process id="discount_watch" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process>`),
  // its task writes the remark that starts it again
  bpmn(`<bpmn:process id="looper" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>
  <bpmn:serviceTask id="w"><bpmn:extensionElements><zeebe:taskDefinition type="crm:update-record"/><zeebe:taskHeaders><zeebe:header key="remark" value="loop"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process>`),
];

interface Instance {
  id: number;
  processKey: string;
  state: string;
  variables: Record<string, unknown>;
  startedBy: string;
  outcome: string | null;
  record: { entity: string; id: number } | null;
}

describe.each(DIALECTS)('processes tied to records on %s', (dialect) => {
  let s: TestServer;
  const as = (login: string) => ({ 'x-user': login });
  const offer = async (id: number) => (await s.api('GET', `/api/records/offer/${id}`)).body;
  const create = async (body: Record<string, unknown>, user = 'tester') => {
    const r = await s.api('POST', '/api/records/offer', body, as(user));
    expect(r.status).toBe(201);
    return r.body as { id: number; version: number };
  };
  const patch = async (id: number, body: Record<string, unknown>, user = 'tester') =>
    s.api(
      'PATCH',
      `/api/records/offer/${id}`,
      { ...body, version: (await offer(id)).version },
      as(user),
    );
  const instancesOf = async (id: number, processKey?: string) =>
    (
      await s.api(
        'GET',
        `/api/workflow/instances?record=offer:${id}${processKey ? `&processKey=${processKey}` : ''}`,
      )
    ).body.data as Instance[];
  const allInstances = async () =>
    ((await s.api('GET', '/api/workflow/instances?limit=500')).body.data as Instance[]).length;
  const press = (id: number, button: string, user: string) =>
    s.api('POST', `/api/records/offer/${id}/buttons/${button}`, undefined, as(user));
  const reviewTask = async (instanceId: number) =>
    (await s.api('GET', `/api/tasks?instanceId=${instanceId}&state=created`)).body.data[0] as {
      id: number;
      elementId: string;
    };
  /** A seller's draft offer, submitted for approval: the approval instance. */
  const submitted = async (name: string, button = 'offer_submit') => {
    const o = await create({ name, discount: 10 }, 'seller1');
    const run = await press(o.id, button, 'seller1');
    expect(run.status).toBe(201);
    return { offerId: o.id, instance: run.body as Instance };
  };

  beforeAll(async () => {
    s = await startServer(dialect, FILES);
    for (const [login, roles] of [
      ['seller1', ['seller']],
      ['seller2', ['seller']],
      ['appr', ['approver']],
    ] as const) {
      const made = await s.api('POST', '/api/admin/users', {
        login,
        password: USER_PASSWORD,
        roles,
        locale: 'en',
      });
      expect(made.status).toBe(201);
    }
    for (const xml of DIAGRAMS) {
      const d = await s.api('POST', '/api/workflow/deployments', xml, {
        'content-type': 'application/xml',
      });
      expect(d.status).toBe(201);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('triggers', () => {
    it('start a process from a create, bound to the record, with the trigger variables', async () => {
      const big = await create({ name: 'big', amount: 5000 });
      const small = await create({ name: 'small', amount: 10 });
      const [run] = await instancesOf(big.id);
      expect(run).toMatchObject({
        processKey: 'big_offer',
        state: 'active',
        startedBy: 'tester',
        record: { entity: 'offer', id: big.id },
        variables: { amount: 5000, by: 'tester' },
      });
      expect(await instancesOf(small.id)).toEqual([]);
      // lockRecord false: the record stays editable while it runs
      expect((await patch(big.id, { name: 'still editable' })).status).toBe(200);
    });

    it('start from an update only when the condition over old and new holds', async () => {
      const o = await create({ name: 'watched', discount: 10 });
      expect((await patch(o.id, { discount: 20 })).status).toBe(200);
      expect(await instancesOf(o.id)).toEqual([]);
      expect((await patch(o.id, { discount: 35 })).status).toBe(200);
      // the discount stays at 35: old != new no longer holds
      expect((await patch(o.id, { name: 'renamed' })).status).toBe(200);
      const runs = await instancesOf(o.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        processKey: 'discount_watch',
        state: 'completed',
        variables: { from: 20, to: 35 },
      });
    });

    it('fire from bulk writes and from imports', async () => {
      const existing = await create({ name: 'bulk target', discount: 0 });
      const bulk = await s.api('POST', '/api/records/offer/bulk', {
        records: [
          { name: 'bulk big', amount: 2000 },
          { name: 'bulk small', amount: 5 },
          { id: existing.id, version: existing.version, discount: 40 },
        ],
      });
      expect(bulk.status).toBe(200);
      const [bigId, smallId] = bulk.body.data.map((r: { id: number }) => r.id);
      expect((await instancesOf(bigId)).map((i) => i.processKey)).toEqual(['big_offer']);
      expect(await instancesOf(smallId)).toEqual([]);
      expect((await instancesOf(existing.id)).map((i) => i.processKey)).toEqual(['discount_watch']);

      const imported = await s.api('POST', '/api/records/offer/import', [
        { name: 'imported big', amount: 3000 },
        { name: 'imported small', amount: 1 },
      ]);
      expect(imported.status).toBe(200);
      const [a, b] = imported.body.ids as number[];
      expect(await instancesOf(a)).toMatchObject([
        { processKey: 'big_offer', variables: { amount: 3000 } },
      ]);
      expect(await instancesOf(b)).toEqual([]);
    });

    it('commit with the write: a start that fails rolls the write back', async () => {
      const o = await create({ name: 'fragile' });
      const before = await offer(o.id);
      const bad = await patch(o.id, { remark: 'fail' });
      expect(bad.status).toBe(404);
      expect(bad.body).toMatchObject({
        code: 'DEFINITION_NOT_FOUND',
        message: expect.stringContaining('trigger offer_broken could not start ghost'),
        errors: [{ path: '', document: 'trigger/offer_broken', message: 'not deployed' }],
      });
      expect(await offer(o.id)).toEqual(before);
      // in a bulk write, the one failing record leaves every other unwritten too
      const count = await allInstances();
      const bulk = await s.api('POST', '/api/records/offer/bulk', {
        records: [
          { name: 'never written', amount: 9000 },
          { id: o.id, version: before.version, remark: 'fail' },
        ],
      });
      expect(bulk.status).toBe(404);
      expect(bulk.body.message).toContain('nothing was written');
      const list = await s.api(
        'GET',
        `/api/records/offer?filter=${encodeURIComponent(JSON.stringify({ name: 'never written' }))}`,
      );
      expect(list.body.data).toEqual([]);
      expect(await allInstances()).toBe(count);
    });

    it('refuse a loop (a process whose task writes the record that starts it) with nothing saved', async () => {
      const o = await create({ name: 'looping' });
      const before = await offer(o.id);
      const count = await allInstances();
      const loop = await patch(o.id, { remark: 'loop' });
      expect(loop.status).toBe(409);
      expect(loop.body.code).toBe('TRIGGER_LOOP');
      expect(loop.body.message).toContain('trigger offer_loop would start looper');
      expect(await offer(o.id)).toEqual(before);
      expect(await allInstances()).toBe(count);
    });
  });

  describe('buttons', () => {
    it('are listed with their labels for whoever may press them', async () => {
      const buttonsOf = async (user: string) =>
        (
          (await s.api('GET', '/api/meta/entities', undefined, as(user))).body.data as Array<{
            name: string;
            buttons: unknown[];
          }>
        ).find((e) => e.name === 'offer')!.buttons;
      expect(await buttonsOf('seller1')).toEqual([
        {
          name: 'offer_bad',
          label: { 'zh-CN': 'Bad approval', en: 'Bad approval' },
          process: 'bad_outcome',
        },
        {
          name: 'offer_submit',
          label: { 'zh-CN': '提交审批', en: 'Submit for approval' },
          process: 'offer_approval',
        },
      ]);
      expect(await buttonsOf('appr')).toEqual([]);
    });

    it('start the process as the caller, checked against the start rules and the record', async () => {
      const o = await create({ name: 'to submit', discount: 10 }, 'seller1');
      // another seller cannot even see it; an approver may read it but starts nothing
      expect((await press(o.id, 'offer_submit', 'seller2')).status).toBe(404);
      const appr = await press(o.id, 'offer_submit', 'appr');
      expect(appr.status).toBe(403);
      expect((await press(o.id, 'no_such_button', 'seller1')).body.code).toBe('TRIGGER_NOT_FOUND');
      // a record event's trigger is no button
      expect((await press(o.id, 'offer_big', 'seller1')).status).toBe(404);
      const run = await press(o.id, 'offer_submit', 'seller1');
      expect(run.status).toBe(201);
      expect(run.body).toMatchObject({
        processKey: 'offer_approval',
        startedBy: 'seller1',
        state: 'active',
        activeElementIds: ['review'],
        record: { entity: 'offer', id: o.id },
      });
      expect((await offer(o.id)).status).toBe('inApproval');
      // the condition (a draft) no longer holds
      const again = await press(o.id, 'offer_submit', 'seller1');
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('NOT_STARTABLE');
    });
  });

  describe('the record lock', () => {
    it('refuses edits and deletes on every path while the approval runs', async () => {
      const { offerId, instance } = await submitted('locked');
      const before = await offer(offerId);
      const edit = await patch(offerId, { name: 'changed' }, 'seller1');
      expect(edit.status).toBe(409);
      expect(edit.body).toMatchObject({
        code: 'RECORD_LOCKED',
        message: expect.stringContaining(`offer_approval (instance ${instance.id})`),
        errors: [{ path: '/name' }],
      });
      const del = await s.api('DELETE', `/api/records/offer/${offerId}`, undefined, as('seller1'));
      expect(del.status).toBe(409);
      expect(del.body.code).toBe('RECORD_LOCKED');
      // an administrator's bulk write is refused as well, and takes nothing else with it
      const bulk = await s.api('POST', '/api/records/offer/bulk', {
        records: [
          { name: 'written with it', amount: 1 },
          { id: offerId, version: before.version, remark: 'bulk' },
        ],
      });
      expect(bulk.status).toBe(409);
      expect(bulk.body.errors[0].path).toBe('/records/1/remark');
      expect(await offer(offerId)).toEqual(before);
      // the initiator is no approver: not even the open fields are theirs
      expect((await patch(offerId, { discount: 5 }, 'seller1')).status).toBe(409);
    });

    it("lets the current approver change the node's editable fields, validated", async () => {
      const { offerId } = await submitted('approver edits');
      const ok = await patch(offerId, { discount: 25, remark: 'agreed by phone' }, 'appr');
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ discount: 25, remark: 'agreed by phone' });
      // a form that sends the other fields back unchanged is fine; a changed one is not
      const current = await offer(offerId);
      expect((await patch(offerId, { name: current.name, discount: 30 }, 'appr')).status).toBe(200);
      const locked = await patch(offerId, { name: 'renamed by approver' }, 'appr');
      expect(locked.status).toBe(409);
      expect(locked.body.message).toContain('you may change only discount, remark now');
      // open to edit is not open to skip validation (NocoBase #9259)
      const before = await offer(offerId);
      const invalid = await patch(offerId, { discount: 150 }, 'appr');
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors[0].path).toBe('/discount');
      expect(await offer(offerId)).toEqual(before);
    });

    it('opens every field to the initiator after a return to them, and locks again on resubmit', async () => {
      const { offerId, instance } = await submitted('returned');
      const review = await reviewTask(instance.id);
      const back = await s.api(
        'POST',
        `/api/tasks/${review.id}/actions`,
        { action: 'return', comment: 'fix the name' },
        as('appr'),
      );
      expect(back.status).toBe(200);
      // the review node is closed: its fields are no longer the approver's
      expect((await patch(offerId, { discount: 12 }, 'appr')).status).toBe(409);
      const fixed = await patch(offerId, { name: 'fixed', discount: 15 }, 'seller1');
      expect(fixed.status).toBe(200);
      const resubmit = await reviewTask(instance.id);
      expect(resubmit.elementId).toBe('s');
      const again = await s.api(
        'POST',
        `/api/tasks/${resubmit.id}/actions`,
        { action: 'resubmit' },
        as('seller1'),
      );
      expect(again.status).toBe(200);
      expect((await patch(offerId, { name: 'too late' }, 'seller1')).status).toBe(409);
      // the values from before the approval survive the round trip: a cancel restores the draft
      await s.api('POST', `/api/workflow/instances/${instance.id}/cancel`);
      expect(await offer(offerId)).toMatchObject({ status: 'draft', name: 'fixed' });
    });
  });

  describe('outcome', () => {
    it('is written back into the record with the final step, and releases the lock', async () => {
      const { offerId, instance } = await submitted('to approve');
      const task = await reviewTask(instance.id);
      const done = await s.api(
        'POST',
        `/api/tasks/${task.id}/complete`,
        { variables: { approved: true } },
        as('appr'),
      );
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ state: 'completed', outcome: 'approved' });
      expect(await offer(offerId)).toMatchObject({
        status: 'approved',
        decidedBy: 'appr',
        decidedAt: s.clock.now().toISOString(),
      });
      expect((await patch(offerId, { name: 'after approval' }, 'seller1')).status).toBe(200);
    });

    it("takes an end event's outcome: rejected", async () => {
      const { offerId, instance } = await submitted('to reject');
      const task = await reviewTask(instance.id);
      const done = await s.api(
        'POST',
        `/api/tasks/${task.id}/complete`,
        { variables: { approved: false } },
        as('appr'),
      );
      expect(done.body).toMatchObject({ state: 'completed', outcome: 'rejected' });
      expect(await offer(offerId)).toMatchObject({ status: 'rejected', decidedBy: 'appr' });
    });

    it('that cannot be written fails the final step as a whole', async () => {
      const { offerId, instance } = await submitted('bad outcome', 'offer_bad');
      const task = await reviewTask(instance.id);
      const done = await s.api(
        'POST',
        `/api/tasks/${task.id}/complete`,
        { variables: { approved: true } },
        as('appr'),
      );
      expect(done.status).toBe(400);
      expect(done.body).toMatchObject({
        code: 'RECORD_INVALID',
        message: expect.stringContaining(`instance ${instance.id} (bad_outcome) ended approved`),
        errors: [{ path: '/status' }],
      });
      // nothing of the step committed: the task is open, the instance and the record as they were
      expect((await reviewTask(instance.id)).id).toBe(task.id);
      expect((await s.api('GET', `/api/workflow/instances/${instance.id}`)).body.state).toBe(
        'active',
      );
      expect(await offer(offerId)).toMatchObject({ status: 'inApproval', decidedBy: null });
    });

    it('withdrawing puts the record back as well (outcome withdrawn, nobody decided)', async () => {
      const { offerId, instance } = await submitted('to withdraw');
      const back = await s.api(
        'POST',
        `/api/workflow/instances/${instance.id}/withdraw`,
        {},
        as('seller1'),
      );
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ state: 'cancelled', outcome: 'withdrawn' });
      expect(await offer(offerId)).toMatchObject({
        status: 'draft',
        decidedBy: null,
        decidedAt: null,
      });
    });

    it('cancelling puts the record back as it was before the approval', async () => {
      const { offerId, instance } = await submitted('to cancel');
      expect((await offer(offerId)).status).toBe('inApproval');
      const cancelled = await s.api('POST', `/api/workflow/instances/${instance.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
      expect(await offer(offerId)).toMatchObject({ status: 'draft', decidedBy: null });
      // released: the seller edits and may submit again
      expect((await patch(offerId, { name: 'edited after cancel' }, 'seller1')).status).toBe(200);
      expect((await press(offerId, 'offer_submit', 'seller1')).status).toBe(201);
    });
  });
});
