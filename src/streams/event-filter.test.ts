import { compileEventFilter, eventFilterOf, eventTypeEntryProblem } from "./event-filter";

describe("a stream's event filter", () => {
  it("takes catalog names and prefix patterns; empty takes everything", () => {
    const filter = compileEventFilter(["LoginSucceeded", "Session*"]);
    expect(filter.matches("LoginSucceeded")).toBe(true);
    expect(filter.matches("SessionChanged")).toBe(true);
    // A name the catalog does not have yet, but that the pattern takes.
    expect(filter.matches("SessionRevokedEverywhere")).toBe(true);
    expect(filter.matches("LoginFailed")).toBe(false);
    expect(compileEventFilter([]).matches("anything")).toBe(true);
    expect(eventFilterOf(["Session*"]).matches("SessionChanged")).toBe(true);
  });

  it("refuses a pattern that matches no catalog name, and anything else that is neither", () => {
    expect(eventTypeEntryProblem("Session*")).toBeUndefined();
    expect(eventTypeEntryProblem("LoginSucceeded")).toBeUndefined();
    expect(eventTypeEntryProblem("Nothing*")).toBe('"Nothing*" matches no event name of the catalog');
    expect(eventTypeEntryProblem("*")).toMatch(/is not a pattern/);
    expect(eventTypeEntryProblem("Sess*ion*")).toMatch(/is not a pattern/);
    expect(eventTypeEntryProblem("LoginSucceded")).toBe(
      '"LoginSucceded" is not an event name from the catalog',
    );
  });
});
