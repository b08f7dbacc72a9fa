// Two tiers: unit specs beside the code, e2e over HTTP against real SQLite and MySQL.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];
// feelin and its parser, NestJS 12 and htmlparser2 (sanitize-html's parser) ship ES modules only;
// jest (unlike Node 20) cannot require them untransformed.
const esmOnly = [
  '@nestjs',
  'dmn-moddle',
  '@camunda/feel-builtins',
  'feelin',
  'lezer-feel',
  'min-dash',
  'temporal-polyfill',
  'temporal-utils',
  'bpmn-moddle',
  'moddle',
  'moddle-xml',
  'saxen',
  'htmlparser2',
  'domhandler',
  'domutils',
  'dom-serializer',
  'domelementtype',
  'entities',
];
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];
const moduleNameMapper = {
  '^@crm/(common|metadata|records|access|workflow)$': '<rootDir>/libs/$1/src',
};
module.exports = {
  // e2e servers boot real databases; a project-level testTimeout is ignored by jest, so it lives here.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        // repository guards (e.g. no shipped names in engine code)
        '<rootDir>/tests/guards/**/*.spec.ts',
        // the web app's pure functions (filters, forms, rules)
        '<rootDir>/designer/src/**/*.spec.ts',
      ],
      transform: { '^.+\\.(ts|js|mjs)$': swc },
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/e2e/**/*.e2e-spec.ts'],
      transform: { '^.+\\.(ts|js|mjs)$': swc },
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      // the web app in Debian's chromium (playwright-core) against a real server
      displayName: 'browser',
      testMatch: ['<rootDir>/tests/browser/**/*.browser-spec.ts'],
      transform: { '^.+\\.(ts|js|mjs)$': swc },
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
    },
  ],
};
