import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addErrors from "ajv-errors";
import addFormats from "ajv-formats";
import type { Sink, SinkContext, SinkDefinition } from "./sink";

export interface ConfigError {
  /** The offending setting, in the sink's own (camelCase) names. */
  field: string;
  message: string;
}

/**
 * The sinks a process knows, by stream type. The API validates and verifies through it, the
 * connector delivers through it; neither names a concrete sink.
 */
export class SinkRegistry {
  private readonly definitions = new Map<string, SinkDefinition<unknown>>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly instances = new Map<string, Sink<unknown>>();
  // ajv-errors lets a schema say, in words a user can act on, what a valid value looks like.
  private readonly ajv = addErrors(addFormats(new Ajv({ allErrors: true, strict: true })));

  register<Config>(definition: SinkDefinition<Config>): this {
    if (this.definitions.has(definition.type))
      throw new Error(`a sink of type "${definition.type}" is already registered`);
    this.definitions.set(definition.type, definition as SinkDefinition<unknown>);
    this.validators.set(definition.type, this.ajv.compile(definition.configSchema));
    return this;
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  definition(type: string): SinkDefinition<unknown> {
    const definition = this.definitions.get(type);
    if (!definition) {
      throw new Error(`unknown sink type "${type}": known types are ${this.types().join(", ")}`);
    }
    return definition;
  }

  /** Schema and semantic validation of one stream's destination settings. */
  validateConfig(type: string, config: unknown, context?: SinkContext): ConfigError | undefined {
    const validate = this.validators.get(type);
    if (!validate)
      return { field: "type", message: `unknown type "${type}": use one of ${this.types().join(", ")}` };
    if (!validate(config)) return describe(validate.errors?.[0]);
    return this.definition(type).validate?.(config, context);
  }

  /** Every setting of a type that holds a secret, generated or given: sealed at rest, masked, never logged. */
  secretPaths(type: string): readonly string[] {
    const definition = this.definitions.get(type);
    return [...(definition?.secrets?.fields ?? []), ...(definition?.secretFields ?? [])];
  }

  /** One long-lived instance per type, created on first use (clients, pools and caches live inside). */
  sink(type: string, context: SinkContext): Sink<unknown> {
    let instance = this.instances.get(type);
    if (!instance) {
      instance = this.definition(type).create({ ...context, logger: context.logger.child({ sink: type }) });
      this.instances.set(type, instance);
    }
    return instance;
  }

  /** The instance of `type` if one was made: releasing what a sink never held needs none. */
  created(type: string): Sink<unknown> | undefined {
    return this.instances.get(type);
  }

  /** The stream's old destination is no longer used: its sink forgets it (Sink.release). */
  release(stream: { id: string; type: string; projectId: string; config: unknown }): void {
    const target = { streamId: stream.id, projectId: stream.projectId, config: stream.config };
    this.created(stream.type)?.release?.(target);
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map((sink) => sink.close?.()));
    this.instances.clear();
  }
}

function describe(error: ErrorObject | undefined): ConfigError {
  if (!error) return { field: "config", message: "is invalid" };
  const path = error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (error.keyword === "required") {
    const missing = String(error.params.missingProperty);
    return { field: path ? `${path}.${missing}` : missing, message: "is required" };
  }
  if (error.keyword === "additionalProperties") {
    const extra = String(error.params.additionalProperty);
    return { field: path ? `${path}.${extra}` : extra, message: "is not a known setting for this type" };
  }
  return { field: path || "config", message: error.message ?? "is invalid" };
}
