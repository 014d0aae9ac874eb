import * as path from "node:path";
import { parseSinkModule } from "../../src/settings/connector-settings";
import { BUILT_IN_SINKS, loadSinkRegistry } from "./sink-module";

describe("--sinks: where a process finds its sinks", () => {
  it("defaults to the built-in sinks", () => {
    expect(parseSinkModule(undefined)).toBeUndefined();
    expect(parseSinkModule("")).toBeUndefined();
    expect(loadSinkRegistry().types()).toEqual(["sns", "https", "sqs", "firehose", "eventbridge", "kinesis"]);
    expect(loadSinkRegistry(BUILT_IN_SINKS).types()).toEqual([
      "sns",
      "https",
      "sqs",
      "firehose",
      "eventbridge",
      "kinesis",
    ]);
  });

  it("resolves a relative path from the working directory, with createSinkRegistry unless #export says", () => {
    const fixture = path.join(__dirname, "../../support/thread-sinks.ts");
    expect(parseSinkModule("../../support/thread-sinks.ts", __dirname)).toEqual({
      path: fixture,
      exportName: "createSinkRegistry",
    });
    const named = parseSinkModule("../../support/thread-sinks.ts#createThreadTestSinks", __dirname);
    expect(named).toEqual({ path: fixture, exportName: "createThreadTestSinks" });
    expect(loadSinkRegistry(named).types()).toEqual(["where", "exit", "spin"]);
  });

  it("says what is wrong and what to give when the module is missing or exports no registry", () => {
    expect(() => parseSinkModule("./nowhere.js", __dirname)).toThrow(
      `--sinks (EVENTSTREAMS_SINKS): no module "./nowhere.js" from ${__dirname}: give the path of a compiled module and its export, e.g. --sinks ./dist/my-sinks.js#createMySinks`,
    );
    const wrongExport = parseSinkModule("../../support/thread-sinks.ts", __dirname);
    expect(() => loadSinkRegistry(wrongExport)).toThrow(
      /thread-sinks\.ts must export createSinkRegistry\(\), a function that returns a SinkRegistry/,
    );
  });
});
