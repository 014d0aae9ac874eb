/**
 * Gives an AWS SDK client's resolved config V8's fast property layout back. Same object, same
 * properties: only how V8 stores them changes.
 *
 * While resolving `client.config` the SDK redefines `credentials` as an accessor, which leaves the
 * object in V8's dictionary mode, and three middlewares copy the whole config with object spread on
 * every call (endpoint resolution, request serialization, response parsing). Spreading a dictionary
 * object of this size costs ~13 µs against ~1 µs for a fast one: about a tenth of the CPU of a
 * PublishBatch (bench/e2e/sns-client-cost.ts, variants sink-1-tuned and sink-1-fast).
 *
 * V8 turns an object back into fast mode once property lookups go through it as a prototype; that is
 * all this does. Should V8 stop doing so, calls only get slower again, never wrong
 * (fast-properties.test.ts watches for that).
 */
export function withFastProperties<T extends object>(object: T): T {
  const heir = Object.create(object) as { constructor: unknown };
  for (let i = 0; i < LOOKUPS; i++) lookUp(heir);
  return object;
}

/** V8 converts after a handful of lookup misses (9 in Node 20); more are cheap and done once. */
const LOOKUPS = 32;

function lookUp(heir: { constructor: unknown }): unknown {
  return heir.constructor;
}
