package auth

import (
	"context"
	"fmt"

	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// The admin operations take the acting principal rather than an organisation id: they act only in
// by.OrgID and only when by is an admin of it (EForbidden otherwise), so a handler cannot point
// them at another organisation by mistake.

func requireAdmin(by domain.Principal) error {
	if by.OrgID == "" || !by.Role.AtLeast(domain.RoleAdmin) {
		return domain.Errorf(domain.EForbidden, "管理者だけが行えます (admin only)")
	}
	return nil
}

// Invitation is the result of Invite: the user let in and their role.
type Invitation struct {
	User domain.User
	Role domain.Role
}

// Invite lets email into by's organisation with role. A new address becomes a user at once (with
// OIDC they sign in with a verified address and their identity is linked then; with local login
// the admin gives them a temporary password with ResetPassword). Either way the user is told on
// their next visit who added them where (store.AddMemberNotice). Inviting someone who is already
// a member is EConflict.
//
// The inviter must not learn whether the address already had an account: the answer and the
// work done are the same for both, with no password made here (hashing one only for a new
// address took a tenth of a second that gave it away).
func (s *Service) Invite(ctx context.Context, by domain.Principal, email string, role domain.Role) (Invitation, error) {
	if err := requireAdmin(by); err != nil {
		return Invitation{}, err
	}
	if !role.Valid() {
		return Invitation{}, &domain.Error{Code: domain.EInvalid, Message: "不明な権限です (unknown role)",
			Fields: map[string]string{"role": "admin, member or viewer"}}
	}
	inv := Invitation{Role: role}
	user, err := s.db.GetUserByEmail(ctx, email)
	switch domain.ErrorCode(err) {
	case "":
		if _, err := s.db.GetMember(ctx, by.OrgID, user.ID); err == nil {
			return Invitation{}, domain.Errorf(domain.EConflict, "既にメンバーです (already a member)")
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return Invitation{}, fmt.Errorf("auth: invite: %w", err)
		}
	case domain.ENotFound:
		if user, err = s.db.CreateUser(ctx, email, ""); err != nil {
			return Invitation{}, fmt.Errorf("auth: invite: %w", err)
		}
	default:
		return Invitation{}, fmt.Errorf("auth: invite: %w", err)
	}
	if err := s.db.SetMember(ctx, by.OrgID, user.ID, role); err != nil {
		return Invitation{}, fmt.Errorf("auth: invite: %w", err)
	}
	if err := s.db.AddMemberNotice(ctx, user.ID, by.OrgID, by.Email, role); err != nil {
		return Invitation{}, fmt.Errorf("auth: invite: %w", err)
	}
	inv.User = user
	s.log.InfoContext(ctx, "auth: member invited", "org", by.OrgID, "by", by.UserID, "user", user.ID, "role", role)
	return inv, nil
}

// ChangeRole changes a member's role in by's organisation; demoting the last admin is EConflict.
func (s *Service) ChangeRole(ctx context.Context, by domain.Principal, userID string, role domain.Role) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	if err := s.db.ChangeMemberRole(ctx, by.OrgID, userID, role); err != nil {
		return fmt.Errorf("auth: change role: %w", err)
	}
	return nil
}

// RemoveMember removes a member from by's organisation; removing the last admin is EConflict.
// Their API tokens of the organisation are revoked (inviting them again does not revive them) and
// their sessions there stop at the next request.
func (s *Service) RemoveMember(ctx context.Context, by domain.Principal, userID string) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	if err := s.db.RemoveMember(ctx, by.OrgID, userID); err != nil {
		return fmt.Errorf("auth: remove member: %w", err)
	}
	return nil
}

// ResetPassword gives a member of by's organisation a new temporary password and returns it
// (shown once). A user who also belongs to another organisation is EForbidden: one company's
// admin must not be able to take over an account another company relies on.
func (s *Service) ResetPassword(ctx context.Context, by domain.Principal, userID string) (string, error) {
	if err := requireAdmin(by); err != nil {
		return "", err
	}
	if !s.opts.LocalLogin {
		return "", domain.Errorf(domain.EConflict, "パスワードでのログインは無効です (local login disabled)")
	}
	if _, err := s.db.GetMember(ctx, by.OrgID, userID); err != nil {
		return "", fmt.Errorf("auth: reset password: %w", err)
	}
	ms, err := s.db.UserMemberships(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("auth: reset password: %w", err)
	}
	for _, m := range ms {
		if m.OrgID != by.OrgID {
			return "", domain.Errorf(domain.EForbidden, "他の組織にも所属する利用者のパスワードはリセットできません (user belongs to another organization)")
		}
	}
	pw, err := s.setTemporaryPassword(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("auth: reset password: %w", err)
	}
	s.log.InfoContext(ctx, "auth: password reset", "org", by.OrgID, "by", by.UserID, "user", userID)
	return pw, nil
}

func (s *Service) setTemporaryPassword(ctx context.Context, userID string) (string, error) {
	pw, err := randomToken(15) // 20 characters
	if err != nil {
		return "", err
	}
	hash, err := s.hasher.hash(ctx, pw)
	if err != nil {
		return "", err
	}
	// Temporary: the user chooses their own at the next login. Their sessions end with it.
	_, err = s.db.ChangePassword(ctx, userID, hash, true)
	return pw, err
}

// AllowDomain lets people with a verified address in domain ("@example.co.jp") join by's
// organisation with role on their first OIDC login.
func (s *Service) AllowDomain(ctx context.Context, by domain.Principal, domain string, role domain.Role) (store.AllowedDomain, error) {
	if err := requireAdmin(by); err != nil {
		return store.AllowedDomain{}, err
	}
	a, err := s.db.AllowEmailDomain(ctx, by.OrgID, domain, role)
	if err != nil {
		return store.AllowedDomain{}, fmt.Errorf("auth: allow domain: %w", err)
	}
	return a, nil
}

// DisallowDomain stops letting people of domain join by's organisation. Members who joined through
// it stay members. An unknown domain is ENotFound.
func (s *Service) DisallowDomain(ctx context.Context, by domain.Principal, emailDomain string) error {
	if err := requireAdmin(by); err != nil {
		return err
	}
	if err := s.db.DisallowEmailDomain(ctx, by.OrgID, emailDomain); err != nil {
		return fmt.Errorf("auth: disallow domain: %w", err)
	}
	s.log.InfoContext(ctx, "auth: allowed domain removed", "org", by.OrgID, "by", by.UserID, "domain", emailDomain)
	return nil
}
