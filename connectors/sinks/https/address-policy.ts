import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** The env setting that opens named hosts (local development, tests): comma-separated hostnames. */
export const ALLOWED_HOSTS_ENV = "EVENTSTREAMS_WEBHOOK_ALLOWED_HOSTS";
/** The env setting that opens ports besides 443 to every host: comma-separated port numbers. */
export const ALLOWED_PORTS_ENV = "EVENTSTREAMS_WEBHOOK_ALLOWED_PORTS";

/** ipaddr.js's range names in the words a customer reads. */
const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address (cloud metadata lives there)",
  uniqueLocal: "a unique-local (private) address",
  carrierGradeNat: "a shared (carrier-grade NAT) address",
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  ipv4Mapped: "an IPv4-mapped address",
};

/** Thrown (or passed to a lookup callback) when an endpoint may not be reached. Never retried. */
export class EndpointRefusedError extends Error {
  readonly code = "EndpointRefused";
}

/** `dns.lookup` with `all: true`: every address a name resolves to. Tests inject their own. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

// IPv4-compatible IPv6 (::a.b.c.d) is deprecated and ipaddr.js calls it unicast; it can carry a
// private IPv4 address, so it is refused outright.
const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96");

/**
 * Why an address may not receive webhooks, or undefined if it is public unicast. Only ipaddr.js's
 * "unicast" range passes: loopback, private, link-local (metadata 169.254.169.254), unique-local
 * (fd00:ec2::254), CGNAT, multicast, reserved, NAT64/6to4/Teredo and the rest are all refused.
 * IPv4-mapped IPv6 is judged as the IPv4 address it carries.
 */
export function refusedAddressReason(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return "is not an IP address";
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  // ::1 and :: sit inside ::/96 too: their own names say more.
  if (range !== "loopback" && range !== "unspecified" && parsed.kind() === "ipv6") {
    if ((parsed as ipaddr.IPv6).match(IPV4_COMPATIBLE)) return "is an IPv4-compatible IPv6 address";
  }
  if (range === "unicast") return undefined;
  return `is ${RANGE_WORDS[range] ?? "a reserved (not public) address"}`;
}

/**
 * Which webhook endpoints may be called. Checked twice: on the URL (scheme, literal addresses in
 * any spelling, since the URL parser turns `0x7f.1` or `2130706433` into `127.0.0.1`), and on
 * every address a name resolves to, at every connection (see `lookup`), so a name that changes
 * its DNS answer after creation is still refused.
 */
export class EndpointPolicy {
  private readonly allowed: ReadonlySet<string>;
  private readonly allowedPorts: ReadonlySet<number>;
  private readonly resolver: Resolver;

  constructor(
    options: { allowedHosts?: readonly string[]; allowedPorts?: readonly number[]; resolver?: Resolver } = {},
  ) {
    this.allowed = new Set((options.allowedHosts ?? []).map((h) => normalizeHost(h)).filter(Boolean));
    this.allowedPorts = new Set(options.allowedPorts ?? []);
    this.resolver = options.resolver ?? systemResolver;
  }

  /** The URL's own problems, without DNS. Returns the parsed URL or throws EndpointRefusedError. */
  checkUrl(endpoint: string): URL {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new EndpointRefusedError("is not a valid URL");
    }
    if (url.protocol !== "https:") throw new EndpointRefusedError("must use https://");
    if (url.username || url.password) throw new EndpointRefusedError("must not carry credentials in the URL");
    const host = normalizeHost(url.hostname);
    if (this.allowed.has(host)) return url;
    const port = url.port === "" ? 443 : Number(url.port);
    if (port !== 443 && !this.allowedPorts.has(port)) {
      throw new EndpointRefusedError(`must use port 443 (this one uses ${port})`);
    }
    if (isIP(host)) {
      const reason = refusedAddressReason(host);
      if (reason) throw new EndpointRefusedError(`host ${host} ${reason}`);
    } else if (host === "localhost" || host.endsWith(".localhost")) {
      throw new EndpointRefusedError(`host ${host} is a loopback name`);
    }
    return url;
  }

  /** Resolves a host and refuses it if any of its addresses is not public. */
  async resolve(hostname: string): Promise<LookupAddress[]> {
    const host = normalizeHost(hostname);
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolver(host);
    if (this.allowed.has(host)) return addresses;
    if (addresses.length === 0) throw new EndpointRefusedError(`host ${host} has no address`);
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address);
      // One bad address refuses the name: a connection may try any of them. Which address it was
      // stays here: what an internal name resolves to is nothing to tell a tenant.
      if (reason) throw new EndpointRefusedError(`host ${host} resolves to an address that ${reason}`);
    }
    return addresses;
  }

  /** A `lookup` for net/tls.connect: every connection the agent opens goes through the check. */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean } | number | undefined,
    callback: (...args: unknown[]) => void,
  ): void => {
    const all = typeof options === "object" && options?.all === true;
    this.resolve(hostname).then(
      (addresses) => {
        if (all) callback(null, addresses);
        else callback(null, addresses[0]?.address, addresses[0]?.family);
      },
      (error: unknown) => callback(error),
    );
  };
}

/** Lower case, without IPv6 brackets or a trailing dot. */
function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}
