// Validates the OpenAPI document on stdin with @seriousme/openapi-schema-validator (an ES module,
// which jest's CommonJS runtime cannot load) and prints its answer as JSON.
import { Validator } from "@seriousme/openapi-schema-validator";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const result = await new Validator().validate(JSON.parse(text));
process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors ?? [] }));
