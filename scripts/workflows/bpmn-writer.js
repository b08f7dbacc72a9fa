'use strict';
/**
 * Writes a BPMN 2.0 file (Camunda 8 / zeebe extension elements) with a BPMNDI layout from a
 * compact process description, so the shipped diagrams open laid out in Camunda Modeler, bpmn-js
 * and the designer. The layout is a left-to-right layering: a node's column is its longest path
 * from the start (loops back are not counted), its row the first free one at or below the node
 * that reached it; edges are orthogonal, loops back run under the diagram.
 *
 * A description:
 *   { id, name, doc, properties: {k: v}, nodes: [...], flows: [[id, from, to, condition?], ...] }
 * nodes: { id, t: start|end|service|script|user|business|xor, name, ... } and
 *        { id, t: 'boundary', host, error: 'rejected' } (see the kinds in xmlOf).
 */

const esc = (s) =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const SIZE = {
  start: [36, 36],
  end: [36, 36],
  boundary: [36, 36],
  xor: [50, 50],
  task: [100, 80],
};
const sizeOf = (n) => SIZE[n.t] ?? SIZE.task;
const COL = 170;
const ROW = 140;
const X0 = 160;
const Y0 = 140;

function headersXml(headers) {
  const entries = Object.entries(headers ?? {});
  if (!entries.length) return '';
  return `<zeebe:taskHeaders>${entries
    .map(([k, v]) => `<zeebe:header key="${esc(k)}" value="${esc(v)}"/>`)
    .join('')}</zeebe:taskHeaders>`;
}

function extensions(inner) {
  return inner ? `\n      <bpmn:extensionElements>${inner}</bpmn:extensionElements>` : '';
}

/** One flow node as XML (without its incoming / outgoing lists: BPMN does not need them). */
function xmlOf(n, p) {
  const name = n.name ? ` name="${esc(n.name)}"` : '';
  switch (n.t) {
    case 'start': {
      if (n.timer)
        return `<bpmn:startEvent id="${n.id}"${name}>\n      <bpmn:timerEventDefinition id="${n.id}_def"><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${esc(n.timer)}</bpmn:timeCycle></bpmn:timerEventDefinition>\n    </bpmn:startEvent>`;
      return `<bpmn:startEvent id="${n.id}"${name}/>`;
    }
    case 'end': {
      const ext = n.outcome
        ? extensions(
            `<zeebe:properties><zeebe:property name="outcome" value="${esc(n.outcome)}"/></zeebe:properties>`,
          )
        : '';
      return ext
        ? `<bpmn:endEvent id="${n.id}"${name}>${ext}\n    </bpmn:endEvent>`
        : `<bpmn:endEvent id="${n.id}"${name}/>`;
    }
    case 'service':
      return `<bpmn:serviceTask id="${n.id}"${name}>${extensions(
        `<zeebe:taskDefinition type="${esc(n.type)}"/>${headersXml(n.headers)}`,
      )}${multiXml(n)}\n    </bpmn:serviceTask>`;
    case 'script':
      return `<bpmn:scriptTask id="${n.id}"${name}>${extensions(
        `<zeebe:script expression="${esc(n.expression)}" resultVariable="${esc(n.result)}"/>`,
      )}\n    </bpmn:scriptTask>`;
    case 'business':
      return `<bpmn:businessRuleTask id="${n.id}"${name}>${extensions(
        `<zeebe:calledDecision decisionId="${esc(n.decision)}" resultVariable="${esc(n.result)}"/>`,
      )}\n    </bpmn:businessRuleTask>`;
    case 'user': {
      const a = Object.entries(n.assign ?? {})
        .map(([k, v]) => ` ${k}="${esc(v)}"`)
        .join('');
      return `<bpmn:userTask id="${n.id}"${name}>${extensions(
        `${a ? `<zeebe:assignmentDefinition${a}/>` : ''}${headersXml(n.headers)}`,
      )}${multiXml(n)}\n    </bpmn:userTask>`;
    }
    case 'xor': {
      const def = p.flows.find((f) => f[1] === n.id && f.length === 3);
      return `<bpmn:exclusiveGateway id="${n.id}"${name}${def ? ` default="${def[0]}"` : ''}/>`;
    }
    case 'boundary':
      return `<bpmn:boundaryEvent id="${n.id}"${name} attachedToRef="${n.host}">\n      <bpmn:errorEventDefinition id="${n.id}_def" errorRef="${n.error}_error"/>\n    </bpmn:boundaryEvent>`;
    default:
      throw new Error(`${p.id}: unknown node kind ${n.t} (${n.id})`);
  }
}

function multiXml(n) {
  if (!n.multi) return '';
  const m = n.multi;
  const attrs = [
    ['inputCollection', m.collection],
    ['inputElement', m.element],
    ['outputCollection', m.outputCollection],
    ['outputElement', m.outputElement],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  const seq = m.sequential ? ' isSequential="true"' : '';
  const done = m.completion
    ? `\n        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${esc(m.completion)}</bpmn:completionCondition>`
    : '';
  return `\n      <bpmn:multiInstanceLoopCharacteristics${seq}>\n        <bpmn:extensionElements><zeebe:loopCharacteristics${attrs}/></bpmn:extensionElements>${done}\n      </bpmn:multiInstanceLoopCharacteristics>`;
}

function flowXml(f) {
  const [id, from, to, cond] = f;
  if (cond === undefined)
    return `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`;
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}">\n      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${esc(cond)}</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>`;
}

/** Columns and rows of every node; flows that loop back are marked. */
function layout(p) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map();
  for (const n of p.nodes) out.set(n.id, []);
  for (const f of p.flows) {
    if (!byId.has(f[1]) || !byId.has(f[2]))
      throw new Error(`${p.id}: flow ${f[0]} names a missing node`);
    out.get(f[1]).push(f);
  }
  // a boundary event leaves from its host: its targets come after the host
  const succ = (id) => {
    const list = out.get(id).map((f) => ({ f, to: f[2] }));
    for (const b of p.nodes.filter((x) => x.t === 'boundary' && x.host === id))
      list.push({ f: null, to: b.id });
    return list;
  };
  const back = new Set();
  const state = new Map();
  const starts = p.nodes.filter((n) => n.t === 'start');
  const visit = (id) => {
    state.set(id, 'open');
    for (const { f, to } of succ(id)) {
      if (state.get(to) === 'open') {
        if (f) back.add(f[0]);
      } else if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  starts.forEach((s) => visit(s.id));
  // longest path over forward edges (the boundary sits in its host's column)
  const col = new Map();
  const order = [];
  const seen = new Set();
  const topo = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const { f, to } of succ(id)) if (!f || !back.has(f[0])) topo(to);
    order.unshift(id);
  };
  starts.forEach((s) => topo(s.id));
  for (const id of order) if (!col.has(id)) col.set(id, 0);
  for (const id of order) {
    for (const { f, to } of succ(id)) {
      if (f && back.has(f[0])) continue;
      const step = f ? 1 : 0;
      col.set(to, Math.max(col.get(to) ?? 0, col.get(id) + step));
    }
  }
  // rows: depth-first from the start, first flow first
  const row = new Map();
  const used = new Set();
  const place = (id, preferred) => {
    let r = preferred;
    while (used.has(`${col.get(id)}:${r}`)) r++;
    row.set(id, r);
    used.add(`${col.get(id)}:${r}`);
  };
  const walk = (id) => {
    const n = byId.get(id);
    for (const { f, to } of succ(id)) {
      if (row.has(to) || (f && back.has(f[0]))) continue;
      const t = byId.get(to);
      if (t.t === 'boundary') {
        row.set(to, row.get(id));
        walk(to);
        continue;
      }
      place(to, n.t === 'boundary' ? row.get(id) + 1 : row.get(id));
      walk(to);
    }
  };
  starts.forEach((s, i) => {
    place(s.id, i);
    walk(s.id);
  });
  for (const n of p.nodes) if (!row.has(n.id)) throw new Error(`${p.id}: ${n.id} is unreachable`);
  return { col, row, back, byId };
}

function diagramXml(p) {
  const { col, row, back, byId } = layout(p);
  const box = new Map();
  for (const n of p.nodes) {
    if (n.t === 'boundary') continue;
    const [w, h] = sizeOf(n);
    const cx = X0 + col.get(n.id) * COL + 50;
    const cy = Y0 + row.get(n.id) * ROW + 40;
    box.set(n.id, { x: cx - w / 2, y: cy - h / 2, w, h, cx, cy });
  }
  const hosts = new Map();
  for (const n of p.nodes.filter((x) => x.t === 'boundary')) {
    const h = box.get(n.host);
    const k = (hosts.get(n.host) ?? 0) + 1;
    hosts.set(n.host, k);
    const x = h.x + h.w - 18 - 40 * (k - 1) - 10;
    box.set(n.id, { x, y: h.y + h.h - 18, w: 36, h: 36, cx: x + 18, cy: h.y + h.h });
  }
  const bottom = Math.max(...[...box.values()].map((b) => b.y + b.h));
  const occupied = new Set(
    p.nodes.filter((n) => n.t !== 'boundary').map((n) => `${col.get(n.id)}:${row.get(n.id)}`),
  );
  /** A straight line along the row would cross a shape between the two. */
  const blocked = (from, to) => {
    const r = row.get(from);
    for (let c = col.get(from) + 1; c < col.get(to); c++)
      if (occupied.has(`${c}:${r}`)) return true;
    return false;
  };
  let loop = 0;
  let over = 0;
  const shapes = p.nodes.map((n) => {
    const b = box.get(n.id);
    const marker = n.t === 'xor' ? ' isMarkerVisible="true"' : '';
    // names of events and gateways sit outside the shape: gateways above left (their flows leave
    // right, up and down), events below, wide enough not to break a word
    let label = '';
    if (n.name && n.t === 'xor')
      label = `<bpmndi:BPMNLabel><dc:Bounds x="${b.cx - 125}" y="${b.y - 30}" width="100" height="27"/></bpmndi:BPMNLabel>`;
    else if (n.name && n.t !== 'boundary' && sizeOf(n)[0] === 36)
      label = `<bpmndi:BPMNLabel><dc:Bounds x="${b.cx - 50}" y="${b.y + b.h + 6}" width="100" height="27"/></bpmndi:BPMNLabel>`;
    return `      <bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"${marker}><dc:Bounds x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}"/>${label}</bpmndi:BPMNShape>`;
  });
  const edges = p.flows.map((f) => {
    const [id, from, to] = f;
    const s = box.get(from);
    const t = box.get(to);
    const src = byId.get(from);
    let pts;
    if (back.has(id)) {
      const y = bottom + 30 + 20 * loop++;
      pts = [
        [s.cx, s.y + s.h],
        [s.cx, y],
        [t.cx, y],
        [t.cx, t.y + t.h],
      ];
    } else if (src.t === 'boundary') {
      pts = [
        [s.cx, s.y + s.h],
        [s.cx, t.cy],
        [t.x, t.cy],
      ];
      if (Math.abs(s.y + s.h - t.cy) < 1)
        pts = [
          [s.cx, s.y + s.h],
          [t.x, t.cy],
        ];
    } else if (Math.abs(s.cy - t.cy) < 1 && blocked(from, to)) {
      // over the shapes in between, above the row (under the labels of its gateways)
      const y = Math.min(s.y, t.y) - 45 - 12 * over++;
      pts = [
        [s.cx, s.y],
        [s.cx, y],
        [t.cx, y],
        [t.cx, t.y],
      ];
    } else if (Math.abs(s.cy - t.cy) < 1) {
      pts = [
        [s.x + s.w, s.cy],
        [t.x, t.cy],
      ];
    } else if (src.t === 'xor') {
      // leave the gateway by its top or bottom corner, then straight to the target
      const down = t.cy > s.cy;
      pts = [
        [s.cx, down ? s.y + s.h : s.y],
        [s.cx, t.cy],
        [t.x, t.cy],
      ];
    } else {
      const mx = t.x - 25;
      pts = [
        [s.x + s.w, s.cy],
        [mx, s.cy],
        [mx, t.cy],
        [t.x, t.cy],
      ];
    }
    return `      <bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}">${pts
      .map(([x, y]) => `<di:waypoint x="${x}" y="${y}"/>`)
      .join('')}</bpmndi:BPMNEdge>`;
  });
  return `  <bpmndi:BPMNDiagram id="${p.id}_diagram">
    <bpmndi:BPMNPlane id="${p.id}_plane" bpmnElement="${p.id}">
${shapes.join('\n')}
${edges.join('\n')}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>`;
}

function bpmnXml(p) {
  const errors = [...new Set(p.nodes.filter((n) => n.t === 'boundary').map((n) => n.error))];
  const props = Object.entries(p.properties ?? {});
  const propsXml = props.length
    ? `\n    <bpmn:extensionElements><zeebe:properties>${props
        .map(([k, v]) => `<zeebe:property name="${esc(k)}" value="${esc(v)}"/>`)
        .join('')}</zeebe:properties></bpmn:extensionElements>`
    : '';
  const doc = p.doc
    .trim()
    .split('\n')
    .map((l) => `  ${l}`.trimEnd())
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by scripts/workflows/generate.js: edit the description there and run
     \`node scripts/workflows/generate.js\` (or edit in Camunda Modeler and drop the generator). -->
<!--
${doc.replace(/--/g, '-')}
-->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="${p.id}_defs" targetNamespace="crm" exporter="crm scripts/workflows/generate.js" exporterVersion="1" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
${errors.map((e) => `  <bpmn:error id="${e}_error" name="${e}" errorCode="${e}"/>`).join('\n')}
  <bpmn:process id="${p.id}" name="${esc(p.name)}" isExecutable="true">${propsXml}
${p.nodes.map((n) => `    ${xmlOf(n, p)}`).join('\n')}
${p.flows.map((f) => `    ${flowXml(f)}`).join('\n')}
  </bpmn:process>
${diagramXml(p)}
</bpmn:definitions>
`;
}

module.exports = { bpmnXml, layout };
