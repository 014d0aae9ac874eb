import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CATALOG_ENTRIES, catalogEntry } from "./catalog";
import { helperName } from "./helper-names";

const LATER_IDENTITY_NAMES = [
  "LoginInitiated",
  "RegistrationInitiated",
  "RecoveryInitiatedByAdmin",
  "JsonnetMappingFailed",
  "SCIMGroupCreated",
  "SCIMGroupUpdated",
  "SCIMGroupDeleted",
  "SCIMProvisioningError",
  "CourierMessageDispatched",
  "CourierMessageAbandoned",
];

/** The names in the seed's three tables, read from the brief when it is around. */
function seedNames(): Array<[string, string]> {
  const file = path.resolve(__dirname, "../../../shared/brief/seed-live-event-streams.txt");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const domains: Record<string, string> = {
    "Ory Identities": "identities",
    "Ory OAuth2": "oauth2",
    "Ory Permissions": "permissions",
  };
  let domain = "";
  const names: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    if (domains[line.trim()]) domain = domains[line.trim()] as string;
    const match = /^(\w+) \| (.+) \|$/.exec(line.trim());
    if (match && domain && match[1] !== "Event") names.push([match[1] as string, domain]);
  }
  return names;
}

describe("event catalog", () => {
  it("holds every seed name in its domain, the later identity names, and nothing twice", () => {
    const seed = seedNames();
    for (const [name, domain] of seed) expect(catalogEntry(name)?.domain).toBe(domain);
    for (const name of LATER_IDENTITY_NAMES) expect(catalogEntry(name)?.domain).toBe("identities");
    expect(new Set(CATALOG_ENTRIES.map((e) => e.name)).size).toBe(CATALOG_ENTRIES.length);
    expect(CATALOG_ENTRIES).toHaveLength(51);
  });

  it("describes each event in one line", () => {
    for (const entry of CATALOG_ENTRIES) expect(entry.description).toMatch(/^[A-Z][^\n]{10,120}\.$/);
  });

  it("derives one distinct camelCase helper per name, as the types do", () => {
    const helpers = CATALOG_ENTRIES.map((e) => helperName(e.name));
    expect(new Set(helpers).size).toBe(helpers.length);
    for (const helper of helpers) expect(helper).toMatch(/^[a-z][a-z0-9]*([A-Z][a-z0-9]*)*[A-Za-z0-9]*$/);
    expect(helperName("OAuth2LoginAccepted")).toBe("oauth2LoginAccepted");
    expect(helperName("OIDCIdentityTokenIssued")).toBe("oidcIdentityTokenIssued");
    expect(helperName("SCIMGroupCreated")).toBe("scimGroupCreated");
  });
});
