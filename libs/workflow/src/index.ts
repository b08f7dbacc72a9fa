export * from './bpmn-model';
export * from './validate-bpmn';
export * from './conformance';
export * from './deployments.service';
export * from './engine/engine.service';
export * from './engine/process-graph';
