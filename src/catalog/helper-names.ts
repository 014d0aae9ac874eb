/**
 * The method name of an event's typed helper: `IdentityCreated` becomes `identityCreated`. Leading
 * acronyms are lower-cased whole (`OAuth2...` -> `oauth2...`, `OIDC...` -> `oidc...`) so helpers
 * read as ordinary camelCase. The type and the function apply the same rules.
 */
export type HelperName<N extends string> = N extends `OAuth2${infer Rest}`
  ? `oauth2${Rest}`
  : N extends `OIDC${infer Rest}`
    ? `oidc${Rest}`
    : N extends `SCIM${infer Rest}`
      ? `scim${Rest}`
      : Uncapitalize<N>;

const ACRONYMS = ["OAuth2", "OIDC", "SCIM"] as const;

export function helperName<N extends string>(name: N): HelperName<N> {
  const acronym = ACRONYMS.find((prefix) => name.startsWith(prefix));
  const camel = acronym
    ? `${acronym.toLowerCase()}${name.slice(acronym.length)}`
    : `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
  return camel as HelperName<N>;
}
