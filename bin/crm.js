#!/usr/bin/env node
// `npx crm ...`: runs the built CLI (npm start / npm run build produce dist/).
require('../dist/apps/cli/src/main.js');
