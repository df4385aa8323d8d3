package domain

import "time"

// Role is what a member may do in an organisation: admin (everything), member (customers and
// documents) or viewer (read only).
type Role string

// The roles, weakest last.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleMember:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r allows everything o allows. An unknown role allows nothing.
func (r Role) AtLeast(o Role) bool { return r.Valid() && r.rank() >= o.rank() }

// MinRole returns the weaker of a and b: a token's role is capped by its member's.
func MinRole(a, b Role) Role {
	if a.rank() <= b.rank() {
		return a
	}
	return b
}

// User is a person who can log in; the same user may be a member of several organisations.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"` // lower case
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Member is a user with their role in one organisation (a membership).
type Member struct {
	User
	Role Role `json:"role"`
}

// Token is an API token's metadata; the plaintext is shown once when it is created and never
// stored.
type Token struct {
	ID         string     `json:"id"`
	OrgID      string     `json:"org_id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Principal is who is calling: a user acting in one organisation, through a session (TokenID "")
// or an API token.
type Principal struct {
	OrgID   string
	OrgSlug string
	UserID  string
	Email   string
	Role    Role
	TokenID string
}

// Actor is how a change by p is recorded in a document's history: the user's id through a
// session, "token:" + the token's id through an API token (the store finds the user from it).
func (p Principal) Actor() string {
	if p.TokenID != "" {
		return "token:" + p.TokenID
	}
	return p.UserID
}
