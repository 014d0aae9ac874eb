// The layers, checked on every CI run (`npm run check:layers`), as docs/architecture.md draws them:
//
//   bench/, test/, examples/   may use anything below (bench/ never test/)
//   support/                   fixtures that tests and benchmarks share
//   apps/                      the eventstreams command, HTTP API, demo, simulation, local stack
//   producers/  connectors/    the SDK and the sink connector, side by side, never each other
//   src/                       the core: events, codec, Kafka, topics, streams, retry, settings
//
// An arrow may only point down. Inside connectors/, sinks know nothing of Kafka, and the rest of
// the connector knows sinks only through the sink API (connectors/sinks/index.ts and sink.ts).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-imports-nothing-above",
      comment: "src/ is the bottom layer: it imports nothing of producers/, connectors/ or anything above",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(producers|connectors|apps)/" },
    },
    {
      name: "producers-and-connectors-apart",
      comment: "the SDK needs no connector code and the connector no producer code",
      severity: "error",
      from: { path: "^producers/" },
      to: { path: "^(connectors|apps)/" },
    },
    {
      name: "connectors-and-producers-apart",
      severity: "error",
      from: { path: "^connectors/" },
      to: { path: "^(producers|apps)/" },
    },
    {
      name: "apps-above-the-libraries-only",
      comment: "the applications use the core, the SDK and the connector, never test or bench code",
      severity: "error",
      from: { path: "^apps/" },
      to: { path: "^(bench|examples)/" },
    },
    {
      name: "production-code-never-imports-tests",
      comment:
        "code that ships (src/, producers/, connectors/, apps/) uses no test code or fixture; its tests may",
      severity: "error",
      from: { path: "^(src|producers|connectors|apps)/", pathNot: "\\.test\\.ts$|/test/" },
      to: { path: "^(support|test|bench|examples)/" },
    },
    {
      name: "support-serves-tests-and-benchmarks",
      severity: "error",
      from: { path: "^support/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "benchmarks-never-import-tests",
      comment: "fixtures both need live in support/",
      severity: "error",
      from: { path: "^bench/" },
      to: { path: "^test/" },
    },
    {
      name: "sinks-know-nothing-of-kafka",
      severity: "error",
      from: { path: "^connectors/sinks/" },
      to: { path: "node_modules/kafkajs/" },
    },
    {
      name: "connector-knows-sinks-by-their-api",
      comment:
        "outside connectors/sinks/, only the sink API (index, sink, sink-registry, sink-module) is used",
      severity: "error",
      from: { path: "^connectors/", pathNot: "^connectors/sinks/|\\.test\\.ts$" },
      to: { path: "^connectors/sinks/[^/]+/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|\\.stack)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
