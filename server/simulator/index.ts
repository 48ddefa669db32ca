/** The built-in contact-centre simulator: the default data source and the flagger's test bed. */
export { CentreSimulator, type SimulatorOptions } from './engine.js';
export { defaultCentreDirectory, DEFAULT_QUEUE_VOLUMES, DEFAULT_TEAM_SKILLS } from './centre.js';
export { startLiveSimulation, type LiveSimulation, type LiveSimulationOptions } from './live.js';
export type { GroundTruth, GroundTruthAgent, GroundTruthScenario } from './ground-truth.js';
export {
  centreScenarios,
  defaultScenarios,
  DEFAULT_SCENARIO_KINDS,
  improvementScenario,
  SCENARIO_KINDS,
  targetTypeOf,
  type ScenarioKind,
  type ScenarioMagnitudes,
  type ScenarioSpec,
  type TargetType,
} from './scenarios.js';
export { DEFAULT_TUNING, type SimulatorTuning } from './model.js';
export { Rng, STREAMS } from './random.js';
export {
  buildCentreDirectory,
  centreDirectory,
  CENTRE_PRESET_NAMES,
  CENTRE_PRESETS,
  parseSites,
  presetDirectory,
  SHIFT_PATTERNS,
  type CentreOptions,
  type CentrePreset,
  type CentreSpec,
  type ShiftPattern,
  type SiteSpec,
} from './centres.js';
