import { useEffect, useRef, useState } from 'react';
import { Alert } from 'antd';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { layoutProcess } from 'bpmn-auto-layout';
import { BpmnModdle } from 'bpmn-moddle';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './diagram.css';

/**
 * The process diagram of a task (bpmn-js viewer): loaded only here, as its own chunk. Completed
 * elements and the current ones are marked. A diagram deployed without layout (no BPMNDI, like the
 * shipped ones written by hand) gets one from bpmn-auto-layout first.
 */
export default function ProcessDiagram({
  xml,
  completed,
  active,
}: {
  xml: string;
  completed: string[];
  active: string[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    const viewer = new NavigatedViewer({ container: ref.current });
    let cancelled = false;
    void (async () => {
      try {
        const laidOut = /BPMNDiagram/.test(xml)
          ? xml
          : await layoutProcess(await withFlowRefs(xml));
        if (cancelled) return;
        await viewer.importXML(laidOut);
        const canvas = viewer.get('canvas') as {
          zoom(v: string): void;
          addMarker(id: string, cls: string): void;
        };
        const registry = viewer.get('elementRegistry') as { get(id: string): unknown };
        for (const id of completed) if (registry.get(id)) canvas.addMarker(id, 'crm-done');
        for (const id of active) if (registry.get(id)) canvas.addMarker(id, 'crm-current');
        canvas.zoom('fit-viewport');
      } catch (e) {
        if (!cancelled) setError((e as Error).message);
      }
    })();
    return () => {
      cancelled = true;
      viewer.destroy();
    };
  }, [xml, completed, active]);
  return (
    <>
      {error && <Alert type="error" title={error} />}
      <div ref={ref} className="process-diagram" data-testid="process-diagram" />
    </>
  );
}

/**
 * bpmn-auto-layout follows each element's <incoming>/<outgoing>; a diagram written by hand often
 * names its flows only by sourceRef/targetRef (as the shipped ones do), which left every element
 * on its own row. Fill them in from the sequence flows first.
 */
async function withFlowRefs(xml: string): Promise<string> {
  type El = { $type: string; get(name: string): El[]; sourceRef?: El; targetRef?: El };
  const moddle = new BpmnModdle();
  const { rootElement } = (await moddle.fromXML(xml)) as unknown as {
    rootElement: { rootElements: (El & { flowElements?: El[] })[] };
  };
  for (const proc of rootElement.rootElements)
    for (const f of proc.flowElements ?? []) {
      if (f.$type !== 'bpmn:SequenceFlow' || !f.sourceRef || !f.targetRef) continue;
      const out = f.sourceRef.get('outgoing');
      const inc = f.targetRef.get('incoming');
      if (!out.includes(f)) out.push(f);
      if (!inc.includes(f)) inc.push(f);
    }
  return (await moddle.toXML(rootElement as never)).xml;
}
