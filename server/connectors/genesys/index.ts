/**
 * Genesys Cloud (issue 16): a pull connector. The server polls the Analytics conversation details query with an OAuth
 * client (client credentials grant) and maps each conversation and evaluation record (mapping.ts).
 */
export { genesysPoller as genesysConnector, createGenesysPoller, genesysHosts, parseGenesysCursor, type GenesysCursor } from './pull.js';
export { genesysMapper, GENESYS_DEFAULT_CHANNELS, GENESYS_RECORD_KINDS } from './mapping.js';
export {
  genesysConversations,
  genesysEvaluations,
  genesysSimMapping,
  startGenesysStandIn,
  type GenesysStandIn,
  type GenesysStandInOptions,
} from './simulate.js';
