package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads Go duration syntax ("90s", "1m30s") or a bare integer
// meaning seconds, which is how GUNICORN_TIMEOUT and most .env files say it.
func parseDuration(s string) (time.Duration, error) {
	if isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > math.MaxInt64/int64(time.Second) {
			return 0, fmt.Errorf("%q is too large", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like 90s, 2m, or a number of seconds)", s)
	}
	return d, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseBool accepts the spellings people put in .env files.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "t", "true", "y", "yes", "on":
		return true, nil
	case "0", "f", "false", "n", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true or false)", s)
}

// parsePort reads a TCP port number, 0 to 65535 (0 picks a free port).
func parsePort(s string) (string, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || !isDigits(s) {
		return "", fmt.Errorf("%q is not a port number (0-65535)", s)
	}
	return strconv.FormatUint(n, 10), nil
}

// checkListenAddr accepts host:port with a numeric port; the host may be
// empty (all interfaces), a name or an IP literal ([::1]:5000).
func checkListenAddr(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port (like :5000 or 127.0.0.1:5000)", s)
	}
	if _, err := parsePort(port); err != nil {
		return err
	}
	return nil
}

// parseWebURL reads an absolute http(s) URL with a host and no query or
// fragment. It never echoes the value: such URLs may carry credentials.
func parseWebURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("must be an absolute http:// or https:// URL with a host")
	}
	if u.User != nil {
		return nil, errors.New("must not contain a user or password")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, errors.New("must not have a query or fragment")
	}
	return u, nil
}

// isLoopbackName reports whether host is one of the names production accepts
// plain HTTP for: traffic to them never leaves the machine.
func isLoopbackName(host string) bool {
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// auth0Issuer turns AUTH0_DOMAIN ("tenant.auth0.com", also given as
// "https://tenant.auth0.com/", or an issuer with a path such as
// "https://login.example.com/tenant/") into the issuer Auth0 announces, which
// ends in a slash.
func auth0Issuer(domain string) (string, error) {
	d := strings.TrimPrefix(domain, "https://")
	host, path, _ := strings.Cut(strings.TrimSuffix(d, "/"), "/")
	if host == "" || strings.ContainsAny(host, "/:@?#%\\ \t") || strings.ContainsAny(path, ":@?#%\\ \t") ||
		strings.Contains(path, "//") {
		return "", fmt.Errorf("%q is not a domain (like tenant.auth0.com) or an https:// issuer", domain)
	}
	if path != "" {
		return "https://" + host + "/" + path + "/", nil
	}
	return "https://" + host + "/", nil
}

// postgresURL builds a pgx URL from the DB_* parts of the Flask deployment.
// url.URL escapes user, password and database name, so any character works.
func postgresURL(host, port, name, user, password string) string {
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(user, password),
		Host:   net.JoinHostPort(host, port),
		Path:   "/" + name,
	}
	if password == "" {
		u.User = url.User(user)
	}
	return u.String()
}

// checkDatabaseURL accepts a postgres:// URL or a keyword/value DSN
// (host=... dbname=...), both of which pgx reads. Messages never include the
// value, which usually holds a password.
func checkDatabaseURL(s string) error {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		u, err := url.Parse(s)
		if err != nil {
			return errors.New("is not a valid URL (escape special characters in the password with %XX)")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return errors.New("has no host")
		}
		return nil
	}
	if strings.Contains(s, "=") && !strings.Contains(s, "://") {
		return nil
	}
	return errors.New("must be a postgres:// URL or host=... dbname=... keywords; leave it unset for SQLite in DATA_DIR")
}

// parseProxies reads comma-separated CIDRs; a bare address means that one
// host (/32 or /128). It returns the prefixes and a message per bad entry.
func parseProxies(s string) ([]netip.Prefix, []string) {
	var out []netip.Prefix
	var bad []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%q is not a CIDR (like 10.0.0.0/8)", part))
				continue
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil || a.Zone() != "" {
			bad = append(bad, fmt.Sprintf("%q is not an IP address or CIDR", part))
			continue
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, bad
}

// envFileProblem describes a godotenv parse error without the rest of the
// offending line, which may be a secret.
func envFileProblem(err error) string {
	msg := err.Error()
	if before, _, ok := strings.Cut(msg, " near "); ok {
		return before
	}
	if strings.HasPrefix(msg, "unterminated quoted value") {
		return "unterminated quoted value"
	}
	return msg
}

// parseSMTPURL reads SMTP_URL: smtp://[user[:password]@]host[:port] (port 587, STARTTLS
// required unless the host is local, see isLocalMailHost) or smtps://… (port 465, implicit TLS).
func parseSMTPURL(v string) (Mail, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return Mail{}, fmt.Errorf("%q is not a URL like smtp://user:password@smtp.example.com:587", redactURL(v))
	}
	var m Mail
	switch u.Scheme {
	case "smtp":
		m.Port = 587
	case "smtps":
		m.Port, m.ImplicitTLS = 465, true
	default:
		return Mail{}, fmt.Errorf("scheme %q is neither smtp nor smtps", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return Mail{}, fmt.Errorf("takes no path or query: smtp[s]://user:password@host:port")
	}
	m.Host = u.Hostname()
	if m.Host == "" {
		return Mail{}, fmt.Errorf("has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Mail{}, fmt.Errorf("port %q is not a port number (1-65535)", p)
		}
		m.Port = n
	}
	m.RequireTLS = !m.ImplicitTLS && !isLocalMailHost(m.Host)
	if u.User != nil {
		m.Username = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	return m, nil
}

// isLocalMailHost reports whether a mail server may be spoken to without TLS: loopback, or a
// name without a dot, which only resolves on the local network (a compose service such as
// mailpit) and never names a server across the internet.
func isLocalMailHost(host string) bool {
	if isLoopbackName(host) {
		return true
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback()
	}
	return !strings.Contains(host, ".")
}

// redactURL hides the password of a URL in messages.
func redactURL(v string) string {
	if u, err := url.Parse(v); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(v, "@"); i >= 0 {
		return "…" + v[i:]
	}
	return v
}
