import type { Domain } from "../events/domain-event";

/**
 * Every event name product services may emit, per domain, with what it means in one line.
 * Adding a name here is all it takes to publish it: the Avro `name` field is a string checked
 * against this catalog, so new names never need a schema change that old consumers could trip on.
 */
export const CATALOG = {
  identities: {
    SessionIssued: "A user signed in and a new session was started for them.",
    SessionChanged: "Something about an existing session was modified.",
    SessionLifespanExtended: "A session was kept alive for longer than its original expiry.",
    SessionRevoked: "A session was ended on purpose, by the user or an administrator.",
    SessionChecked: "A session was looked up to confirm it is still valid.",
    SessionTokenizedAsJWT: "A session was turned into a JSON Web Token for another system.",
    RegistrationInitiated: "A sign-up flow was opened.",
    RegistrationFailed: "A sign-up attempt ended with an error or invalid input.",
    RegistrationSucceeded: "A sign-up attempt completed and an account now exists.",
    LoginInitiated: "A sign-in flow was opened.",
    LoginFailed: "A sign-in attempt was refused, for example because of wrong credentials.",
    LoginSucceeded: "A sign-in attempt completed and the user is authenticated.",
    SettingsFailed: "A change to account settings could not be applied.",
    SettingsSucceeded: "A change to account settings was saved.",
    RecoveryInitiatedByAdmin: "An administrator started account recovery on a user's behalf.",
    RecoveryFailed: "An attempt to regain access to an account did not succeed.",
    RecoverySucceeded: "A user regained access to their account.",
    VerificationFailed: "Proving ownership of an address (email, phone) did not succeed.",
    VerificationSucceeded: "Ownership of an address (email, phone) was proven.",
    IdentityCreated: "A new identity record was stored.",
    IdentityUpdated: "An identity record's traits or state changed.",
    IdentityDeleted: "An identity record was removed.",
    WebhookDelivered: "A configured webhook call was sent out.",
    WebhookSucceeded: "A webhook call was answered successfully by its endpoint.",
    WebhookFailed: "A webhook call could not be delivered or was answered with an error.",
    JsonnetMappingFailed: "A Jsonnet data mapping (for example of social sign-in claims) raised an error.",
    SCIMGroupCreated: "A group was provisioned through SCIM.",
    SCIMGroupUpdated: "A group provisioned through SCIM was changed.",
    SCIMGroupDeleted: "A group provisioned through SCIM was removed.",
    SCIMProvisioningError: "A SCIM provisioning request could not be carried out.",
    CourierMessageDispatched: "An email or SMS was handed to its delivery channel.",
    CourierMessageAbandoned: "An email or SMS was given up on after repeated delivery failures.",
  },
  oauth2: {
    OAuth2LoginAccepted: "The login step of an OAuth2 flow was accepted.",
    OAuth2LoginRejected: "The login step of an OAuth2 flow was refused.",
    OAuth2ConsentAccepted: "A user granted the scopes an OAuth2 client asked for.",
    OAuth2ConsentRejected: "A user declined the scopes an OAuth2 client asked for.",
    OAuth2ConsentRevoked: "A user withdrew consent they had given to an OAuth2 client.",
    OAuth2ClientCreated: "An OAuth2 client application was registered.",
    OAuth2ClientDeleted: "An OAuth2 client application was removed.",
    OAuth2ClientUpdated: "An OAuth2 client application's configuration changed.",
    OAuth2AccessTokenIssued: "An access token was handed out to a client.",
    OAuth2TokenExchangeError: "A request at the token endpoint failed.",
    OAuth2AccessTokenInspected: "An access token was introspected to check its validity and claims.",
    OAuth2AccessTokenRevoked: "An access token was invalidated before its expiry.",
    OAuth2RefreshTokenIssued: "A refresh token was handed out so a client can renew its access.",
    OIDCIdentityTokenIssued: "An OpenID Connect ID token describing the user was handed out.",
  },
  permissions: {
    RelationtuplesCreated: "Relationships between subjects and objects were written.",
    RelationtuplesDeleted: "Relationships between subjects and objects were removed.",
    RelationtuplesChanged: "A set of relationships was modified in one transaction.",
    PermissionsExpanded: "The full tree of who holds a permission was computed.",
    PermissionsChecked: "Whether a subject holds a permission on an object was evaluated.",
  },
} as const satisfies Record<Domain, Record<string, string>>;

/** The event names of one domain, as a type: `EventName<"oauth2">` is `"OAuth2LoginAccepted" | ...`. */
export type EventName<D extends Domain = Domain> = D extends Domain
  ? keyof (typeof CATALOG)[D] & string
  : never;
