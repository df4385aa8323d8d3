package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"reportapp/internal/domain"
)

// MinPasswordLength is the fewest characters (runes) a local password may have.
const MinPasswordLength = 12

// maxPasswordBytes bounds the work one request can ask of argon2 and the size of a form value.
const maxPasswordBytes = 1024

// argonParams are the argon2id parameters of new hashes: the second recommended option of
// RFC 9106 §4 scaled down to 64 MiB, which keeps a login under ~100 ms on a small container.
// They are stored with each hash, so raising them later leaves old hashes verifiable.
type argonParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
}

var defaultArgon = argonParams{Memory: 64 * 1024, Time: 1, Threads: 4, KeyLen: 32}

// dummyHash is verified against for unknown users and users without a password, so that the time
// a login takes does not tell whether the account exists. It has the default parameters and a
// random key that no password produces.
const dummyHash = "$argon2id$v=19$m=65536,t=1,p=4$RZMVkL3dJwEZZfBlNS0NCw$ZHbcPYVGh+nzPnoqFy8IzqmO2ueYe0xOfiqvNsmVRJM"

// errBadHash reports a stored hash that is not in the PHC format we write.
var errBadHash = errors.New("auth: malformed password hash")

// passwordProblem is why the password policy refuses a password.
type passwordProblem int

const (
	passwordBadChars passwordProblem = iota + 1
	passwordTooShort
	passwordTooLong
)

// text is the problem as the pages show it, a key of the UI's catalogue.
func (p passwordProblem) text() Text {
	switch p {
	case passwordBadChars:
		return Text{Key: "auth.password.bad_chars"}
	case passwordTooShort:
		return Text{Key: "auth.password.too_short", Args: []any{MinPasswordLength}}
	}
	return Text{Key: "auth.password.too_long"}
}

// message is the problem as a domain error says it, "日本語 (English)", for the command line,
// which has no catalogue.
func (p passwordProblem) message() string {
	switch p {
	case passwordBadChars:
		return "パスワードに使えない文字が含まれています (the password holds characters that cannot be used)"
	case passwordTooShort:
		return fmt.Sprintf("パスワードは%d文字以上にしてください (at least %d characters)", MinPasswordLength, MinPasswordLength)
	}
	return "パスワードが長すぎます (the password is too long)"
}

// checkPasswordPolicy reports whether pw is acceptable, and if not, why.
func checkPasswordPolicy(pw string) (passwordProblem, bool) {
	switch {
	case !utf8.ValidString(pw):
		return passwordBadChars, false
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return passwordTooShort, false
	case len(pw) > maxPasswordBytes:
		return passwordTooLong, false
	}
	return 0, true
}

// HashNewPassword checks pw against the password policy and returns its argon2id hash, for tools
// that set a password outside a request (the CLI's user create --password-stdin). A password the
// policy refuses is EInvalid with the reason.
func HashNewPassword(pw string) (string, error) {
	if problem, ok := checkPasswordPolicy(pw); !ok {
		msg := problem.message()
		return "", &domain.Error{Code: domain.EInvalid, Message: msg, Fields: map[string]string{"password": msg}}
	}
	return hashPassword(pw)
}

// hashPassword returns the argon2id hash of pw in the PHC string format
// $argon2id$v=19$m=65536,t=1,p=4$salt$key (unpadded standard base64).
func hashPassword(pw string) (string, error) {
	return hashPasswordWith(pw, defaultArgon)
}

func hashPasswordWith(pw string, p argonParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether pw matches the encoded hash. A malformed hash is an error, never
// a match.
func verifyPassword(pw, encoded string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func decodeHash(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	// Refuse parameters that would let a tampered row exhaust memory or CPU.
	if p.Memory < 8*1024 || p.Memory > 256*1024 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return p, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errBadHash
	}
	p.KeyLen = uint32(len(key))
	return p, salt, key, nil
}

// randomToken returns n random bytes encoded as unpadded URL-safe base64.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
