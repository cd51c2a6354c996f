/**
 * @module
 * `noop`: registered by Toxiproxy though undocumented; passes everything through. Useful to check that a client
 * can add and remove toxics without changing traffic.
 */
import { PassThroughStage, UNWIRED } from '../stage.js';
import { defineToxicType } from './toxic-type.js';

/** The `noop` toxic type. */
export const noopToxic = defineToxicType({
  name: 'noop',
  defaults: {},
  createStage: () => new PassThroughStage(UNWIRED),
});
