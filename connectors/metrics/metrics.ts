import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The connector's Prometheus metrics. Labels are bounded: sink type and outcome, never stream ids. */
export function createConnectorMetrics(registry: Registry) {
  return {
    eventsConsumed: new Counter({
      name: "eventstreams_events_consumed_total",
      help: "Records read from the domain topics",
      labelNames: ["topic"],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "eventstreams_deliveries_total",
      help: "Deliveries to destinations by sink type and outcome (delivered, retryable, permanent)",
      labelNames: ["sink", "outcome"],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "eventstreams_dead_lettered_total",
      help: "Records parked in the dead-letter topic, by reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    circuitShortCircuited: new Counter({
      name: "eventstreams_circuit_short_circuited_total",
      help: "Deliveries sent straight to the retry path because their stream's circuit was open",
      labelNames: ["sink"],
      registers: [registry],
    }),
    offsetCommits: new Counter({
      name: "eventstreams_offset_commits_total",
      help: "Offset commit requests of the main path, by result (ok, failed)",
      labelNames: ["result"],
      registers: [registry],
    }),
    throttled: new Counter({
      name: "eventstreams_throttled_total",
      help: "Deliveries a destination throttled (or a stream's rate limit held back), by sink type: not failures",
      labelNames: ["sink"],
      registers: [registry],
    }),
    streamCallsInFlight: new Gauge({
      name: "eventstreams_stream_calls_in_flight",
      help: "Sink calls of the main path in flight now, by sink type (each stream's share adapts to its destination)",
      labelNames: ["sink"],
      registers: [registry],
    }),
    setAside: new Counter({
      name: "eventstreams_deliveries_set_aside_total",
      help: "Deliveries handed to the retry path after waiting too long behind their stream's call in flight",
      labelNames: ["sink"],
      registers: [registry],
    }),
    retryOutcomes: new Counter({
      name: "eventstreams_retry_outcomes_total",
      help: "Records read from a retry tier, by tier and what became of them",
      labelNames: ["tier", "outcome"],
      registers: [registry],
    }),
    deliveryDuration: new Histogram({
      name: "eventstreams_delivery_duration_seconds",
      help: "Duration of one sink deliver call (one batch)",
      labelNames: ["sink"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    fetchDuration: new Histogram({
      name: "eventstreams_fetch_duration_seconds",
      help: "One fetch from the domain topics, request to decoded records (kafkajs's FETCH event)",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    endToEndLatency: new Histogram({
      name: "eventstreams_end_to_end_latency_seconds",
      help: "From the event's timestamp to the destination's acknowledgement",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type ConnectorMetrics = ReturnType<typeof createConnectorMetrics>;
