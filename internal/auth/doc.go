// Package auth signs people in and tells every handler who they are.
//
// It offers OIDC login (Auth0 or any OpenID Connect issuer: authorisation code flow with PKCE,
// state and nonce checked, ID token verified through discovery/JWKS), local accounts (email and
// argon2id password, throttled per account and per client IP in the database), the one-time
// first-run setup, sessions kept in the database through scs (so any replica serves any user),
// bearer API tokens, CSRF protection for browser routes, and the admin operations on members.
//
// Who may enter is decided here and nowhere else: an identity already linked to a user, a
// verified email that a member invited, or a verified email in a domain an organisation allows.
// Anyone else gets the "no access" page; a login never creates an organisation.
//
// Its pages say what they show as keys of the UI's message catalogue (Page); the web layer lays
// them out with the UI's templates (PageRenderer, SetPages), as auth cannot import it.
//
// Handlers find the caller with PrincipalFrom; the principal is rebuilt from the database on
// every request, so a removed member or a changed role takes effect at once.
package auth
