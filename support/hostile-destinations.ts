import type { Reply } from "./webhook-server";

/** One second per byte, for as long as the client stays. */
function trickle(res: Parameters<NonNullable<Reply["act"]>>[0], text: string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (res.socket?.destroyed || i >= text.length) return clearInterval(timer);
    res.socket?.write(text[i++] as string);
  }, 1_000);
  res.socket?.once("close", () => clearInterval(timer));
}

export interface HostileScenario {
  name: string;
  reply?: (attempt: number) => Reply;
  tlsStall?: true;
  /** A 410 pauses the stream: its first delivery is dead-lettered, the rest wait for a resume. */
  pauses?: true;
}

/** What a hostile tenant's destination answers, one scenario at a time (tests and benchmarks). */
export const HOSTILE_SCENARIOS: HostileScenario[] = [
  {
    name: "Retry-After of 10^13 s",
    reply: () => ({ status: 503, headers: { "retry-after": "10000000000000" } }),
  },
  {
    name: "Retry-After of a date in year 9999",
    reply: () => ({ status: 503, headers: { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" } }),
  },
  { name: "Retry-After of -1", reply: () => ({ status: 503, headers: { "retry-after": "-1" } }) },
  { name: "Retry-After of NaN", reply: () => ({ status: 429, headers: { "retry-after": "NaN" } }) },
  {
    name: "a 50 MB body",
    reply: () => ({
      status: 500,
      act: (res) => {
        res.writeHead(500, { "content-type": "text/plain", "content-length": String(50 * 1024 * 1024) });
        const chunk = Buffer.alloc(1024 * 1024, 97);
        let sent = 0;
        const more = () => {
          while (sent < 50 && !res.destroyed) {
            sent++;
            if (!res.write(chunk)) return void res.once("drain", more);
          }
          res.end();
        };
        more();
      },
    }),
  },
  {
    name: "headers trickled one byte a second",
    reply: () => ({
      status: 200,
      act: (res) => trickle(res, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
    }),
  },
  {
    name: "a body that never ends",
    reply: () => ({
      status: 500,
      act: (res) => {
        res.writeHead(500, { "content-type": "text/plain" });
        const timer = setInterval(
          () => (res.destroyed ? clearInterval(timer) : res.write("x".repeat(1024))),
          50,
        );
        res.once("close", () => clearInterval(timer));
      },
    }),
  },
  { name: "a TLS handshake that stalls", tlsStall: true },
  {
    name: "a 301 to 127.0.0.1",
    reply: () => ({ status: 301, headers: { location: "https://127.0.0.1/b" } }),
  },
  {
    name: "a connection reset after every request",
    reply: () => ({ status: 200, act: (res) => res.socket?.destroy() }),
  },
  { name: "410, then 200", reply: (attempt) => ({ status: attempt === 1 ? 410 : 200 }), pauses: true },
];
