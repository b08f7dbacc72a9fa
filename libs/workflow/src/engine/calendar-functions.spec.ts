import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { evaluateFeel } from '@crm/metadata';
import { checkDeployable } from '../conformance';
import { calendarFunctions, isoDateOf } from './calendar-functions';

// the shipped calendar: 2026-10-01..07 National Day, 2026-10-10 (a Saturday) worked
const cn = parse(
  fs.readFileSync(path.resolve(__dirname, '../../../../metadata/calendars/cn.yaml'), 'utf8'),
) as { kind: string };
const other = { ...cn, name: 'plain', default: false, holidays: [], workingDays: [] };
const functions = calendarFunctions(() => [cn, other]);
const feel = (expr: string, vars: Record<string, unknown> = {}) =>
  evaluateFeel(expr, vars, { functions, timeZone: 'Asia/Shanghai' });

describe('is working day(date, calendar)', () => {
  it.each([
    ['is working day(date("2026-10-01"))', false], // National Day
    ['is working day(date("2026-10-09"))', true], // a Friday
    ['is working day(date("2026-10-10"))', true], // Saturday, a make-up working day (调休)
    ['is working day(date("2026-10-11"))', false], // Sunday
    ['is working day("2026-10-01")', false], // an ISO string works too
    ['is working day(date and time("2026-10-01T09:00:00@Asia/Shanghai"))', false],
    ['is working day(date("2026-10-01"), "plain")', true], // a calendar without holidays
    ['is working day(date("2026-10-10"), "plain")', false],
    ['is working day(date("2026-10-01"), "cn")', false],
  ])('%s = %s', (expr, expected) => {
    expect(feel(expr)).toBe(expected);
  });

  it.each([
    ['an unknown calendar', 'is working day(date("2026-10-09"), "nope")'],
    ['a value that is no date', 'is working day("tomorrow")'],
    ['null', 'is working day(null)'],
    ['a calendar that is not a name', 'is working day(date("2026-10-09"), 3)'],
  ])('%s gives null (a condition on it takes no flow)', (_what, expr) => {
    expect(feel(expr)).toBeNull();
  });

  it('without any calendar document, Monday to Friday are working days', () => {
    const none = calendarFunctions(() => []);
    const on = (d: string) => evaluateFeel(`is working day(date("${d}"))`, {}, { functions: none });
    expect([on('2026-10-01'), on('2026-10-10'), on('2026-10-11')]).toEqual([true, false, false]);
  });

  it('reads the date part of what it is given', () => {
    expect(isoDateOf('2026-10-01T23:00:00Z')).toBe('2026-10-01');
    expect(isoDateOf('2026-02-30')).toBeNull();
    expect(isoDateOf(42)).toBeNull();
  });
});

describe('deploy knows the calendar functions', () => {
  const diagram = (condition: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="crm">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>
    <bpmn:exclusiveGateway id="g" default="f2"/>
    <bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="e1"><bpmn:conditionExpression>${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e2"/>
    <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
  </bpmn:process>
</bpmn:definitions>`;

  it('accepts is working day in a gateway condition', async () => {
    const r = await checkDeployable(diagram('=is working day(today(), "cn")'));
    expect(r.problems).toEqual([]);
  });

  it('refuses a misspelt one at the flow', async () => {
    const r = await checkDeployable(diagram('=is workday(today())'));
    expect(r.accepted).toBe(false);
    expect(r.problems[0]).toMatchObject({ elementId: 'f1' });
    expect(r.problems[0].message).toContain('unknown FEEL function is workday');
  });
});
