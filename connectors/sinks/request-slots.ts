/**
 * At most `size` calls at once; the others wait here, in order. Every sink that calls out bounds
 * its calls in flight with one (per region for the AWS sinks, per process for webhooks), so no
 * tenant's destinations can hold more sockets than that. The AWS SDK's NodeHttpHandler
 * starts its connection timeout when a request is created, so a request queued inside the agent
 * for a free socket (maxSockets) times out as if the destination were unreachable. Waiting here
 * instead keeps that timeout about connecting.
 */
export class RequestSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active < this.size) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await call();
    } finally {
      // Hand the slot straight to the next waiter (active unchanged), or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Calls running now and calls waiting for a slot. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
