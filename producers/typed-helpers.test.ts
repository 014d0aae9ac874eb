import { helperName } from "../src/catalog/helper-names";
import type { TypedHelpers } from "./typed-helpers";

describe("typed helpers", () => {
  it("has one helper per catalog name, named as helperName derives it", () => {
    // Compile-time: these keys exist on the typed helpers (a typo would not compile).
    const keys: Array<keyof TypedHelpers["oauth2"] | keyof TypedHelpers["identities"]> = [
      "oauth2LoginAccepted",
      "identityCreated",
    ];
    expect(keys).toEqual([helperName("OAuth2LoginAccepted"), helperName("IdentityCreated")]);
  });
});
