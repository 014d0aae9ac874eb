/** For sink authors' tests: the conformance suite every sink runs against itself (needs jest). */
export {
  type ConformanceDestination,
  conformanceEvents,
  describeSinkConformance,
  type SinkConformanceHarness,
} from "../../connectors/sinks/conformance";
