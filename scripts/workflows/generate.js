#!/usr/bin/env node
'use strict';
/**
 * The shipped CRM's processes (workflows/*.bpmn), described compactly and written with a BPMNDI
 * layout by bpmn-writer.js. Run `node scripts/workflows/generate.js` after changing a
 * description; the .bpmn files are committed (start-up deploys them from WORKFLOWS_DIR).
 * Field names and status values are the entities' under metadata/ (sales/, marketing/, service/);
 * roles are metadata/roles/ (the shared organisation: sales_rep, sales_manager, sales_director,
 * marketing, service_agent, service_manager, field_engineer, finance, legal).
 */
const fs = require('node:fs');
const path = require('node:path');
const { bpmnXml } = require('./bpmn-writer');

const OUT = path.resolve(__dirname, '../../workflows');

// ---- building blocks --------------------------------------------------------------------------

const start = (id, name, extra = {}) => ({ id, t: 'start', name, ...extra });
const end = (id, name, outcome) => ({ id, t: 'end', name, outcome });
const setFields = (id, name, headers) => ({
  id,
  t: 'service',
  name,
  type: 'crm:update-record',
  headers,
});
const status = (id, value, name = `Status: ${value}`) => setFields(id, name, { status: value });
/** The decision is the approver's alone: a value passed at start (or an earlier node's) is dropped. */
const clear = (id) => ({
  id,
  t: 'script',
  name: 'Clear the decision',
  expression: '=null',
  result: 'decision',
});
const notify = (id, name, to, subject) => ({
  id,
  t: 'service',
  name,
  type: 'crm:notify',
  headers: { to, subject },
});
/** An approval node (libs/workflow/README.md "Approvals"); due in 2 working days by default. */
const approval = (id, name, assign, headers = {}, extra = {}) => ({
  id,
  t: 'user',
  name,
  assign,
  headers: {
    approvalMode: 'single',
    deadline: '2 workingDays',
    remindBefore: '4 workingHours',
    ...headers,
  },
  ...extra,
});
const rejected = (id, host) => ({
  id,
  t: 'boundary',
  host,
  error: 'rejected',
  name: 'Rejected 驳回',
});
const xor = (id, name) => ({ id, t: 'xor', name });
const feelText = (s) => `"${s.replace(/"/g, '\\"')}"`;
const subject = (prefix, suffix) => `=${feelText(prefix)} + record.code + ${feelText(suffix)}`;
const REASON_ZH = '(if comment = null then "未说明原因" else comment)';
const REASON_EN = '(if comment = null then "no reason given" else comment)';
/**
 * A notification subject in both languages (crm:notify writes one text): `报价 BJ-1 已通过 /
 * Quote BJ-1 is approved`, with the approver's comment when `why`.
 */
const told = (zh, en, { key = 'record.code', why = false } = {}) => {
  const part = ([before, after], reason, sep) =>
    `${feelText(before)} + ${key} + ${feelText(after + (why ? sep : ''))}${why ? ` + ${reason}` : ''}`;
  return `=${part(zh, REASON_ZH, '：')} + " / " + ${part(en, REASON_EN, ': ')}`;
};

const processes = [];

// 1. 线索资格审核 ---------------------------------------------------------------------------------
processes.push({
  id: 'lead_qualification',
  name: 'Lead qualification 线索资格审核',
  doc: `
Lead qualification (线索资格审核). The lead's 提交资格审核 button (metadata/triggers/lead_qualify.yaml)
starts it bound to the lead; the sales manager of the rep's department qualifies or disqualifies it
on an approval node (approve = qualified, reject = disqualified, the comment goes to the lead's
result). Converting a qualified lead is a record action of its own, not this process.`,
  nodes: [
    start('submitted', 'Submitted 提交审核'),
    clear('clear_decision'),
    approval(
      'manager_review',
      'Qualify the lead 销售经理审核线索',
      { candidateGroups: 'sales_manager' },
      { onOverdue: 'escalate:sales_director', editableFields: 'rating,result' },
    ),
    rejected('manager_rejected', 'manager_review'),
    xor('review_decision', 'Qualified?'),
    status('mark_qualified', 'qualified'),
    notify(
      'tell_qualified',
      'Tell the owner',
      '=record.owner',
      told(['线索 ', ' 已合格'], ['Lead ', ' is qualified']),
    ),
    end('qualified_end', 'Qualified 合格'),
    setFields('mark_disqualified', 'Status: disqualified', {
      status: 'disqualified',
      result: '=if comment = null then record.result else comment',
    }),
    notify(
      'tell_disqualified',
      'Tell the owner',
      '=record.owner',
      told(['线索 ', ' 不合格'], ['Lead ', ' was disqualified'], { why: true }),
    ),
    end('disqualified_end', 'Disqualified 不合格', 'rejected'),
  ],
  flows: [
    ['f_submit', 'submitted', 'clear_decision'],
    ['f_review', 'clear_decision', 'manager_review'],
    ['f_reviewed', 'manager_review', 'review_decision'],
    ['f_qualified', 'review_decision', 'mark_qualified', '=decision = "approve"'],
    ['f_not_qualified', 'review_decision', 'mark_disqualified'],
    ['f_rejected', 'manager_rejected', 'mark_disqualified'],
    ['f_tell_qualified', 'mark_qualified', 'tell_qualified'],
    ['f_qualified_end', 'tell_qualified', 'qualified_end'],
    ['f_tell_disqualified', 'mark_disqualified', 'tell_disqualified'],
    ['f_disqualified_end', 'tell_disqualified', 'disqualified_end'],
  ],
});

// 2. 报价审批 -------------------------------------------------------------------------------------
processes.push({
  id: 'quote_approval',
  name: 'Quote approval 报价审批',
  doc: `
Quote approval (报价审批). The quote's "Submit for approval" button starts it
(metadata/triggers/quote_submit.yaml: POST /api/records/quote/{id}/buttons/quote_submit), bound to
the quote; the engine locks the quote while it runs, and a cancel puts the status back.
The decision table quote_approval_route (workflows/quote_approval_route.dmn) reads the discount and
the total: a discount above 20 % or a total of 500,000 or more also needs a sales director after
the manager; a discount above 10 % or a total of 100,000 or more is a "manager" quote (2 working
days); every other quote is "standard" (the manager, within 1 working day). Approve / reject are
the task actions; a rejection takes the rejected error boundary back to draft with the approver's
comment. The quote's status follows the process (inApproval → approved, or back to draft) and the
owner is told. Reminders go to the approvers (whoever can act on the task) 4 working hours before
the due time; an overdue manager's task goes to the sales directors.`,
  nodes: [
    start('submitted', 'Submitted 提交审批'),
    status('mark_in_approval', 'inApproval', 'Status: in approval'),
    {
      id: 'quote_figures',
      t: 'script',
      name: 'Discount and total',
      expression:
        '={discount: if record.discount = null then 0 else record.discount, total: if record.total = null or record.total.amount = null then 0 else record.total.amount}',
      result: 'figures',
    },
    {
      id: 'route',
      t: 'business',
      name: 'Who approves 审批路由',
      decision: 'quote_approval_route',
      result: 'approvalLevel',
    },
    clear('clear_decision'),
    approval(
      'manager_approval',
      'Sales manager approval 销售经理审批',
      { candidateGroups: 'sales_manager' },
      {
        deadline: '=if approvalLevel = "standard" then "1 workingDay" else "2 workingDays"',
        remindBefore: '4 workingHours',
        onOverdue: 'escalate:sales_director',
        editableFields: 'discount,paymentTerms,deliveryTerms',
      },
    ),
    rejected('manager_rejected', 'manager_approval'),
    xor('manager_decision', 'Manager decision'),
    { ...clear('clear_for_director'), name: 'Clear the decision' },
    approval(
      'director_approval',
      'Sales director approval 销售总监审批',
      { candidateGroups: 'sales_director' },
      { onOverdue: 'remind' },
    ),
    rejected('director_rejected', 'director_approval'),
    xor('director_decision', 'Director decision'),
    // the stamp the roles require before a rep may send the quote (metadata/roles/sales_rep.yaml)
    setFields('mark_approved', 'Status: approved', {
      status: 'approved',
      approvedAt: '=now()',
      approvedTotal: '=record.total',
    }),
    notify('tell_approved', 'Tell the owner', '=record.owner', subject('Quote ', ' is approved')),
    end('approved_end', 'Approved 已审批'),
    status('mark_draft', 'draft', 'Status: back to draft'),
    notify(
      'tell_rejected',
      'Tell the owner',
      '=record.owner',
      '="Quote " + record.code + " was returned: " + (if comment = null then "no reason given" else comment)',
    ),
    end('rejected_end', 'Returned 退回'),
  ],
  flows: [
    ['f_submit', 'submitted', 'mark_in_approval'],
    ['f_to_figures', 'mark_in_approval', 'quote_figures'],
    ['f_to_route', 'quote_figures', 'route'],
    ['f_to_clear', 'route', 'clear_decision'],
    ['f_to_manager', 'clear_decision', 'manager_approval'],
    ['f_manager_done', 'manager_approval', 'manager_decision'],
    [
      'f_big_quote',
      'manager_decision',
      'clear_for_director',
      '=decision = "approve" and approvalLevel = "director"',
    ],
    ['f_manager_ok', 'manager_decision', 'mark_approved', '=decision = "approve"'],
    // a completion without a decision (POST /complete) is not an approval
    ['f_manager_reject', 'manager_decision', 'mark_draft'],
    ['f_manager_rejected', 'manager_rejected', 'mark_draft'],
    ['f_to_director', 'clear_for_director', 'director_approval'],
    ['f_director_done', 'director_approval', 'director_decision'],
    ['f_director_ok', 'director_decision', 'mark_approved', '=decision = "approve"'],
    ['f_director_reject', 'director_decision', 'mark_draft'],
    ['f_director_rejected', 'director_rejected', 'mark_draft'],
    ['f_tell_approved', 'mark_approved', 'tell_approved'],
    ['f_approved_end', 'tell_approved', 'approved_end'],
    ['f_tell_rejected', 'mark_draft', 'tell_rejected'],
    ['f_rejected_end', 'tell_rejected', 'rejected_end'],
  ],
});

// 3. 合同审批 -------------------------------------------------------------------------------------
processes.push({
  id: 'contract_approval',
  name: 'Contract approval 合同审批',
  doc: `
Contract approval (合同审批). The contract's 提交审批 button (metadata/triggers/contract_submit.yaml)
starts it bound to the contract (status inApproval, locked). Legal and finance countersign (会签,
mode all: one task per role, any member of the role decides it; one rejection rejects the node);
a contract of 500,000 or more then needs a sales director. Approved: status signed (then executed);
rejected: back to drafting with the comment. The owner is told either way.`,
  nodes: [
    start('submitted', 'Submitted 提交审批'),
    status('mark_in_approval', 'inApproval', 'Status: in approval'),
    clear('clear_decision'),
    approval(
      'countersign',
      'Legal and finance countersign 法务财务会签',
      { candidateGroups: '=signRole' },
      {
        approvalMode: 'all',
        deadline: '3 workingDays',
        remindBefore: '1 workingDay',
        onOverdue: 'remind',
      },
      {
        multi: {
          collection: '=["legal", "finance"]',
          element: 'signRole',
          completion: '=decision = "reject"',
        },
      },
    ),
    rejected('countersign_rejected', 'countersign'),
    xor('countersign_decision', 'Countersigned?'),
    { ...clear('clear_for_director') },
    approval(
      'director_approval',
      'Sales director approval 销售总监审批',
      { candidateGroups: 'sales_director' },
      { onOverdue: 'remind' },
    ),
    rejected('director_rejected', 'director_approval'),
    xor('director_decision', 'Director decision'),
    status('mark_signed', 'signed', 'Status: signed'),
    notify(
      'tell_approved',
      'Tell the owner',
      '=record.owner',
      told(['合同 ', ' 已通过审批'], ['Contract ', ' is approved']),
    ),
    end('approved_end', 'Approved 已审批'),
    status('mark_drafting', 'drafting', 'Status: back to drafting'),
    notify(
      'tell_rejected',
      'Tell the owner',
      '=record.owner',
      told(['合同 ', ' 被退回'], ['Contract ', ' was returned'], { why: true }),
    ),
    end('rejected_end', 'Returned 退回'),
  ],
  flows: [
    ['f_submit', 'submitted', 'mark_in_approval'],
    ['f_to_clear', 'mark_in_approval', 'clear_decision'],
    ['f_to_countersign', 'clear_decision', 'countersign'],
    ['f_countersigned', 'countersign', 'countersign_decision'],
    [
      'f_big_contract',
      'countersign_decision',
      'clear_for_director',
      '=decision = "approve" and record.amount != null and record.amount.amount >= 500000',
    ],
    ['f_countersign_ok', 'countersign_decision', 'mark_signed', '=decision = "approve"'],
    ['f_countersign_reject', 'countersign_decision', 'mark_drafting'],
    ['f_countersign_rejected', 'countersign_rejected', 'mark_drafting'],
    ['f_to_director', 'clear_for_director', 'director_approval'],
    ['f_director_done', 'director_approval', 'director_decision'],
    ['f_director_ok', 'director_decision', 'mark_signed', '=decision = "approve"'],
    ['f_director_reject', 'director_decision', 'mark_drafting'],
    ['f_director_rejected', 'director_rejected', 'mark_drafting'],
    ['f_tell_approved', 'mark_signed', 'tell_approved'],
    ['f_approved_end', 'tell_approved', 'approved_end'],
    ['f_tell_rejected', 'mark_drafting', 'tell_rejected'],
    ['f_rejected_end', 'tell_rejected', 'rejected_end'],
  ],
});

// 4. 订单确认 → 应收款 ----------------------------------------------------------------------------
processes.push({
  id: 'order_confirmation',
  name: 'Order confirmation 订单确认',
  properties: { lockRecord: 'false' },
  doc: `
Order confirmation (订单确认). The order's 确认订单 button (metadata/triggers/order_confirm.yaml)
starts it bound to a draft order: the order is confirmed, and the process creates the receivable (应收款): the order's customer, contract
and opportunity, amount due = the order's amount, bill date = today, due date = today + 30 days
(business dates in CRM_TIMEZONE), and tells the order's owner. An order that has a receivable
already is not billed twice (crm:find-records looks first).`,
  nodes: [
    start('confirmed', 'Confirmed 确认订单'),
    setFields('mark_confirmed', 'Status: confirmed', {
      status: 'confirmed',
      confirmedAt: '=now()',
    }),
    {
      id: 'find_receivable',
      t: 'service',
      name: 'Billed already? 是否已有应收',
      type: 'crm:find-records',
      headers: {
        entity: 'receivable',
        filter: '={order: record.id}',
        fields: 'id,code',
        limit: '1',
        resultVariable: 'existing',
      },
    },
    xor('billed', 'Billed already?'),
    {
      id: 'create_receivable',
      t: 'service',
      name: 'Create the receivable 生成应收款',
      type: 'crm:create-record',
      headers: {
        entity: 'receivable',
        customer: '=record.customer',
        order: '=record.id',
        contract: '=record.contract',
        opportunity: '=record.opportunity',
        settlementMethod: '=record.settlementMethod',
        amountDue: '=record.amount',
        billDate: '=string(today())',
        dueDate: '=string(today() + duration("P30D"))',
        summary: '="订单 " + record.code + " 应收款 / Receivable of order " + record.code',
        resultVariable: 'receivableId',
      },
    },
    notify(
      'tell_owner',
      'Tell the owner',
      '=record.owner',
      told(['订单 ', ' 已确认，已生成应收款'], ['Order ', ' is confirmed: receivable created']),
    ),
    end('billed_end', 'Receivable created 已生成应收'),
    end('already_billed_end', 'Billed already 已有应收'),
  ],
  flows: [
    ['f_confirm', 'confirmed', 'mark_confirmed'],
    ['f_check_billed', 'mark_confirmed', 'find_receivable'],
    ['f_check', 'find_receivable', 'billed'],
    ['f_bill', 'billed', 'create_receivable', '=count(existing) = 0'],
    ['f_already', 'billed', 'already_billed_end'],
    ['f_tell', 'create_receivable', 'tell_owner'],
    ['f_end', 'tell_owner', 'billed_end'],
  ],
});

// 5. 佣金审批 -------------------------------------------------------------------------------------
processes.push({
  id: 'commission_approval',
  name: 'Commission approval 佣金审批',
  doc: `
Commission approval (佣金审批). The commission's 提交审批 button (metadata/triggers/commission_submit.yaml)
starts it bound to the commission: drafting → inApproval; the sales director approves (and may
correct the rate and amount); approved → executing, and finance pays it out (a task that may fill
in paid and paidOn) → closed. A rejection returns it to drafting with the comment.`,
  nodes: [
    start('submitted', 'Submitted 提交审批'),
    status('mark_in_approval', 'inApproval', 'Status: in approval'),
    clear('clear_decision'),
    approval(
      'director_approval',
      'Sales director approval 销售总监审批',
      { candidateGroups: 'sales_director' },
      { onOverdue: 'remind', editableFields: 'rate,amount' },
    ),
    rejected('director_rejected', 'director_approval'),
    xor('director_decision', 'Director decision'),
    status('mark_executing', 'executing', 'Status: executing'),
    {
      id: 'payout',
      t: 'user',
      name: 'Pay out 发放佣金',
      assign: { candidateGroups: 'finance' },
      headers: {
        deadline: '5 workingDays',
        remindBefore: '1 workingDay',
        onOverdue: 'remind',
        editableFields: 'paid,paidOn',
      },
    },
    status('mark_closed', 'closed', 'Status: closed'),
    notify(
      'tell_paid',
      'Tell the owner',
      '=record.owner',
      told(['佣金 ', ' 已发放'], ['Commission ', ' is paid out']),
    ),
    end('closed_end', 'Closed 已结案'),
    status('mark_drafting', 'drafting', 'Status: back to drafting'),
    notify(
      'tell_rejected',
      'Tell the owner',
      '=record.owner',
      told(['佣金 ', ' 被退回'], ['Commission ', ' was returned'], { why: true }),
    ),
    end('rejected_end', 'Returned 退回'),
  ],
  flows: [
    ['f_submit', 'submitted', 'mark_in_approval'],
    ['f_to_clear', 'mark_in_approval', 'clear_decision'],
    ['f_to_director', 'clear_decision', 'director_approval'],
    ['f_director_done', 'director_approval', 'director_decision'],
    ['f_director_ok', 'director_decision', 'mark_executing', '=decision = "approve"'],
    ['f_director_reject', 'director_decision', 'mark_drafting'],
    ['f_director_rejected', 'director_rejected', 'mark_drafting'],
    ['f_to_payout', 'mark_executing', 'payout'],
    ['f_paid', 'payout', 'mark_closed'],
    ['f_tell_paid', 'mark_closed', 'tell_paid'],
    ['f_closed_end', 'tell_paid', 'closed_end'],
    ['f_tell_rejected', 'mark_drafting', 'tell_rejected'],
    ['f_rejected_end', 'tell_rejected', 'rejected_end'],
  ],
});

// 6. 费用报销审批 ---------------------------------------------------------------------------------
processes.push({
  id: 'expense_approval',
  name: 'Expense approval 费用审批',
  doc: `
Expense approval (费用审批). The expense's 提交审批 button (metadata/triggers/expense_submit.yaml)
starts it bound to the expense: draft → submitted; the submitter's supervisor approves; 5,000 or
more then also needs finance. Approved → approved (finance reimburses it later: status
reimbursed); rejected → rejected, with the comment to the submitter.`,
  nodes: [
    start('submitted', 'Submitted 提交审批'),
    status('mark_submitted', 'submitted', 'Status: submitted'),
    clear('clear_decision'),
    approval(
      'supervisor_approval',
      'Supervisor approval 直属上级审批',
      { assignee: '=supervisor(initiator)' },
      { onOverdue: 'escalate' },
    ),
    rejected('supervisor_rejected', 'supervisor_approval'),
    xor('supervisor_decision', 'Supervisor decision'),
    { ...clear('clear_for_finance') },
    approval(
      'finance_approval',
      'Finance approval 财务审批',
      { candidateGroups: 'finance' },
      { onOverdue: 'remind' },
    ),
    rejected('finance_rejected', 'finance_approval'),
    xor('finance_decision', 'Finance decision'),
    status('mark_approved', 'approved'),
    notify(
      'tell_approved',
      'Tell the submitter',
      '=initiator',
      told(['费用 ', ' 已通过审批'], ['Expense ', ' is approved']),
    ),
    end('approved_end', 'Approved 已审批'),
    status('mark_rejected', 'rejected'),
    notify(
      'tell_rejected',
      'Tell the submitter',
      '=initiator',
      told(['费用 ', ' 被驳回'], ['Expense ', ' was rejected'], { why: true }),
    ),
    end('rejected_end', 'Rejected 驳回', 'rejected'),
  ],
  flows: [
    ['f_submit', 'submitted', 'mark_submitted'],
    ['f_to_clear', 'mark_submitted', 'clear_decision'],
    ['f_to_supervisor', 'clear_decision', 'supervisor_approval'],
    ['f_supervisor_done', 'supervisor_approval', 'supervisor_decision'],
    [
      'f_big_expense',
      'supervisor_decision',
      'clear_for_finance',
      '=decision = "approve" and record.amount != null and record.amount.amount >= 5000',
    ],
    ['f_supervisor_ok', 'supervisor_decision', 'mark_approved', '=decision = "approve"'],
    ['f_supervisor_reject', 'supervisor_decision', 'mark_rejected'],
    ['f_supervisor_rejected', 'supervisor_rejected', 'mark_rejected'],
    ['f_to_finance', 'clear_for_finance', 'finance_approval'],
    ['f_finance_done', 'finance_approval', 'finance_decision'],
    ['f_finance_ok', 'finance_decision', 'mark_approved', '=decision = "approve"'],
    ['f_finance_reject', 'finance_decision', 'mark_rejected'],
    ['f_finance_rejected', 'finance_rejected', 'mark_rejected'],
    ['f_tell_approved', 'mark_approved', 'tell_approved'],
    ['f_approved_end', 'tell_approved', 'approved_end'],
    ['f_tell_rejected', 'mark_rejected', 'tell_rejected'],
    ['f_rejected_end', 'tell_rejected', 'rejected_end'],
  ],
});

// 7. 服务请求 SLA ---------------------------------------------------------------------------------
processes.push({
  id: 'service_request',
  name: 'Service request SLA 服务请求处理',
  properties: { lockRecord: 'false' },
  doc: `
Service request with its SLA (服务请求处理). Every new open request (metadata/triggers/
service_request_created.yaml, on created) is assigned to the service agents: status assigned,
one task any agent claims. The SLA is the task's deadline in working hours on the shipped calendar
(cn: 09:00-12:00, 13:00-18:00 on working days): urgent 4 working hours, high 8, otherwise 2
working days; the agents are reminded 2 working hours before, and an overdue request escalates to
the service managers (the task becomes theirs). Completing the task with a resolution resolves the
request and tells its owner.`,
  nodes: [
    start('opened', 'Request opened 新服务请求'),
    status('mark_assigned', 'assigned', 'Status: assigned'),
    {
      id: 'handle_request',
      t: 'user',
      name: 'Handle the request 处理服务请求',
      // candidate users, not a group: the agent who logged the request may handle it too (a
      // group task is never offered to the instance's starter)
      assign: { candidateUsers: '=roleMembers("service_agent")' },
      headers: {
        deadline:
          '=if record.priority = "urgent" then "4 workingHours" else if record.priority = "high" then "8 workingHours" else "2 workingDays"',
        remindBefore: '2 workingHours',
        onOverdue: 'escalate:service_manager',
        variablesSchema: JSON.stringify({
          type: 'object',
          properties: { resolution: { type: 'string', minLength: 1, maxLength: 4000 } },
          required: ['resolution'],
        }),
      },
    },
    setFields('mark_resolved', 'Status: resolved', {
      status: 'resolved',
      resolution: '=resolution',
    }),
    notify(
      'tell_owner',
      'Tell the owner',
      '=record.owner',
      told(['服务请求 ', ' 已解决'], ['Service request ', ' is resolved']),
    ),
    end('resolved_end', 'Resolved 已解决'),
  ],
  flows: [
    ['f_open', 'opened', 'mark_assigned'],
    ['f_to_agent', 'mark_assigned', 'handle_request'],
    ['f_handled', 'handle_request', 'mark_resolved'],
    ['f_tell', 'mark_resolved', 'tell_owner'],
    ['f_end', 'tell_owner', 'resolved_end'],
  ],
});

// 8. 维修工单 -------------------------------------------------------------------------------------
processes.push({
  id: 'repair_order',
  name: 'Repair order 维修工单',
  properties: { lockRecord: 'false' },
  doc: `
Repair order (维修工单). Every new repair order (metadata/triggers/repair_order_created.yaml, on
created) goes to the service managers, who dispatch it to a field engineer (complete the task with
{ "engineer": "<login>" }): the order is dispatched, its technician the engineer, who gets the
repair task (2 working days; they move the order through diagnosing / repairing themselves). When
the engineer is done (status done) the service manager checks the work (approval node): approved →
closed; rejected → repairing, back to the engineer.`,
  nodes: [
    start('received', 'Received 收到维修'),
    {
      id: 'dispatch',
      t: 'user',
      name: 'Dispatch to an engineer 派工',
      // candidate users, not a group: the manager who logged the order may dispatch it too
      assign: { candidateUsers: '=roleMembers("service_manager")' },
      headers: {
        deadline: '1 workingDay',
        variablesSchema: JSON.stringify({
          type: 'object',
          properties: { engineer: { type: 'string', minLength: 1, maxLength: 64 } },
          required: ['engineer'],
        }),
      },
    },
    setFields('mark_dispatched', 'Status: dispatched', {
      status: 'dispatched',
      technician: '=engineer',
    }),
    {
      id: 'repair',
      t: 'user',
      name: 'Repair 维修',
      assign: { assignee: '=engineer' },
      headers: { deadline: '2 workingDays', remindBefore: '4 workingHours', onOverdue: 'escalate' },
    },
    status('mark_done', 'done', 'Status: done'),
    clear('clear_decision'),
    approval(
      'manager_check',
      'Service manager check 服务经理验收',
      // checking an engineer's work is no approval of one's own submission: the manager who
      // logged the order checks it too
      { candidateUsers: '=roleMembers("service_manager")' },
      { deadline: '1 workingDay', remindBefore: '2 workingHours', allowSelfApproval: 'true' },
    ),
    rejected('check_rejected', 'manager_check'),
    xor('check_decision', 'Accepted?'),
    status('mark_closed', 'closed', 'Status: closed'),
    status('mark_repairing', 'repairing', 'Status: back to repairing'),
    notify(
      'tell_owner',
      'Tell the owner',
      '=record.owner',
      told(['维修工单 ', ' 已完成'], ['Repair order ', ' is closed']),
    ),
    end('closed_end', 'Closed 已完成'),
  ],
  flows: [
    ['f_receive', 'received', 'dispatch'],
    ['f_dispatched', 'dispatch', 'mark_dispatched'],
    ['f_to_repair', 'mark_dispatched', 'repair'],
    ['f_redo', 'mark_repairing', 'repair'],
    ['f_repaired', 'repair', 'mark_done'],
    ['f_to_clear', 'mark_done', 'clear_decision'],
    ['f_to_check', 'clear_decision', 'manager_check'],
    ['f_checked', 'manager_check', 'check_decision'],
    ['f_accepted', 'check_decision', 'mark_closed', '=decision = "approve"'],
    ['f_not_accepted', 'check_decision', 'mark_repairing'],
    ['f_check_rejected', 'check_rejected', 'mark_repairing'],
    ['f_tell', 'mark_closed', 'tell_owner'],
    ['f_end', 'tell_owner', 'closed_end'],
  ],
});

// 9. 营销活动审批 ---------------------------------------------------------------------------------
processes.push({
  id: 'campaign_approval',
  name: 'Campaign approval 营销活动审批',
  doc: `
Campaign approval (营销活动审批). Marketing presses the campaign's 提交审批 button
(metadata/triggers/campaign_submit.yaml) on a planned campaign; the sales director approves
(and may correct the budget): approved → status approved; rejected → it stays planned and the
owner hears why.`,
  nodes: [
    start('submitted', 'Submitted 提交审批'),
    clear('clear_decision'),
    approval(
      'director_approval',
      'Director approval 总监审批',
      { candidateGroups: 'sales_director' },
      { onOverdue: 'remind', editableFields: 'budget' },
    ),
    rejected('director_rejected', 'director_approval'),
    xor('director_decision', 'Director decision'),
    status('mark_approved', 'approved'),
    notify(
      'tell_approved',
      'Tell the owner',
      '=record.owner',
      told(['营销活动 ', ' 已通过审批'], ['Campaign ', ' is approved'], { key: 'record.name' }),
    ),
    end('approved_end', 'Approved 已审批'),
    notify(
      'tell_rejected',
      'Tell the owner',
      '=record.owner',
      told(['营销活动 ', ' 未通过审批'], ['Campaign ', ' was not approved'], {
        key: 'record.name',
        why: true,
      }),
    ),
    end('rejected_end', 'Not approved 未通过', 'rejected'),
  ],
  flows: [
    ['f_submit', 'submitted', 'clear_decision'],
    ['f_to_director', 'clear_decision', 'director_approval'],
    ['f_director_done', 'director_approval', 'director_decision'],
    ['f_director_ok', 'director_decision', 'mark_approved', '=decision = "approve"'],
    ['f_director_reject', 'director_decision', 'tell_rejected'],
    ['f_director_rejected', 'director_rejected', 'tell_rejected'],
    ['f_tell_approved', 'mark_approved', 'tell_approved'],
    ['f_approved_end', 'tell_approved', 'approved_end'],
    ['f_rejected_end', 'tell_rejected', 'rejected_end'],
  ],
});

// 10. 生日祝福 ------------------------------------------------------------------------------------
processes.push({
  id: 'birthday_greetings',
  name: 'Birthday greetings 生日祝福',
  properties: { lockRecord: 'false' },
  doc: `
Birthday greetings (生日祝福). Every day at 9:00 (CRM_TIMEZONE) the timer starts an instance; on a
working day of the default calendar (cn: not on a public holiday, yes on a make-up working day) it
reads the active message template with code birthday_greeting (metadata/marketing/
message_template.yaml) and the contacts born on today's month and day who accept messages, and
sends each the template on its channel (crm:send-message: SMS to mobile, email to email), logging
every message in message_log. On a day off nothing is sent (a birthday on a day off is not
greeted later). Without the template it ends at no_template_end.`,
  nodes: [
    start('every_morning', 'Every day at 9:00 每天 9:00', { timer: '0 9 * * *' }),
    xor('working_day', 'Working day? 工作日?'),
    {
      id: 'find_template',
      t: 'service',
      name: 'Find the template 找模板',
      type: 'crm:find-records',
      headers: {
        entity: 'message_template',
        filter: '={code: "birthday_greeting", active: true}',
        limit: '1',
        resultVariable: 'templates',
      },
    },
    xor('has_template', 'Template? 有模板?'),
    {
      id: 'find_contacts',
      t: 'service',
      name: 'Contacts born today 今天生日的联系人',
      type: 'crm:find-records',
      headers: {
        entity: 'contact',
        filter: '={birthday: {isNull: false}}',
        where:
          '=substring(item.birthday, 6) = substring(string(today()), 6) and item.smsOptIn != false',
        fields: 'id,name,mobile,email,birthday,smsOptIn',
        limit: '1000',
        resultVariable: 'contacts',
      },
    },
    {
      id: 'greet',
      t: 'service',
      name: 'Send the greeting 发送祝福',
      type: 'crm:send-message',
      headers: {
        template: '=templates[1]',
        entity: 'contact',
        id: '=contact.id',
        log: 'message_log',
        'log.relatedEntity': 'contact',
        'log.relatedId': '=contact.id',
      },
      multi: { collection: '=contacts', element: 'contact' },
    },
    end('greeted_end', 'Greeted 已发送'),
    end('no_template_end', 'No template 无模板'),
    end('day_off_end', 'Day off 非工作日'),
  ],
  flows: [
    ['f_morning', 'every_morning', 'working_day'],
    ['f_working', 'working_day', 'find_template', '=is working day(today())'],
    ['f_day_off', 'working_day', 'day_off_end'],
    ['f_template', 'find_template', 'has_template'],
    ['f_has_template', 'has_template', 'find_contacts', '=count(templates) > 0'],
    ['f_no_template', 'has_template', 'no_template_end'],
    ['f_contacts', 'find_contacts', 'greet'],
    ['f_greeted', 'greet', 'greeted_end'],
  ],
});

// ---- the quote routing table (DMN 1.3, Camunda Modeler 5+) ----------------------------------

const dmnRule = (id, discount, total, level, text) => `      <rule id="${id}">
        <description>${text}</description>
        <inputEntry id="${id}_discount"><text>${discount}</text></inputEntry>
        <inputEntry id="${id}_total"><text>${total}</text></inputEntry>
        <outputEntry id="${id}_level"><text>"${level}"</text></outputEntry>
      </rule>`;

const quoteRouteDmn = `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by scripts/workflows/generate.js. Who approves a quote (workflows/quote_approval.bpmn):
     the first matching rule decides. director: the manager, then a sales director; manager: the
     manager within 2 working days; standard: the manager within 1 working day. -->
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="quote_approval_route_defs" name="Quote approval routing 报价审批路由" namespace="crm" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <decision id="quote_approval_route" name="Quote approval routing 报价审批路由">
    <decisionTable id="quote_approval_route_table" hitPolicy="FIRST">
      <input id="in_discount" label="Discount % 折扣">
        <inputExpression id="in_discount_expr" typeRef="number"><text>figures.discount</text></inputExpression>
      </input>
      <input id="in_total" label="Total 报价总额">
        <inputExpression id="in_total_expr" typeRef="number"><text>figures.total</text></inputExpression>
      </input>
      <output id="out_level" label="Approval level 审批级别" name="level" typeRef="string"/>
${[
  dmnRule('rule_big_discount', '&gt; 20', '-', 'director', 'discount above 20 %: the director too'),
  dmnRule(
    'rule_big_total',
    '-',
    '&gt;= 500000',
    'director',
    'total of 500,000 or more: the director too',
  ),
  dmnRule('rule_discount', '&gt; 10', '-', 'manager', 'discount above 10 %: the manager'),
  dmnRule('rule_total', '-', '&gt;= 100000', 'manager', 'total of 100,000 or more: the manager'),
  dmnRule(
    'rule_standard',
    '-',
    '-',
    'standard',
    'everything else: the manager, within a working day',
  ),
].join('\n')}
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="quote_approval_route_diagram">
      <dmndi:DMNShape id="quote_approval_route_di" dmnElementRef="quote_approval_route">
        <dc:Bounds height="80" width="180" x="160" y="100"/>
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
`;

for (const p of processes) fs.writeFileSync(path.join(OUT, `${p.id}.bpmn`), bpmnXml(p));
fs.writeFileSync(path.join(OUT, 'quote_approval_route.dmn'), quoteRouteDmn);
console.log(
  `wrote ${processes.length} diagrams and 1 decision to ${path.relative(process.cwd(), OUT)}/`,
);
