/**
 * `npm start`: bundles the service (scripts/lib/serviceBundle.cjs, well under a second) and runs
 * it in this very process, with source maps so stack traces name the TypeScript sources.
 */
'use strict';
const { buildService } = require('./lib/serviceBundle.cjs');

process.setSourceMapsEnabled(true);
require(buildService()).run();
