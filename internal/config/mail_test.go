package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadMail(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Mail
	}{
		{"unset", nil, Mail{}},
		{"submission with STARTTLS required", map[string]string{
			"SMTP_URL": "smtp://billing%40example.com:p%40ss@smtp.example.com", "MAIL_FROM": "請求書 <billing@example.com>"},
			Mail{Host: "smtp.example.com", Port: 587, RequireTLS: true, Username: "billing@example.com", Password: "p@ss", From: "請求書 <billing@example.com>"}},
		{"implicit TLS", map[string]string{"SMTP_URL": "smtps://u@smtp.example.com", "SMTP_PASSWORD": " spaced secret ", "MAIL_FROM": "billing@example.com"},
			Mail{Host: "smtp.example.com", Port: 465, ImplicitTLS: true, Username: "u", Password: " spaced secret ", From: "billing@example.com"}},
		{"SMTP_PASSWORD wins over the URL's", map[string]string{"SMTP_URL": "smtps://u:old@smtp.example.com:2465", "SMTP_PASSWORD": "new", "MAIL_FROM": "a@example.com"},
			Mail{Host: "smtp.example.com", Port: 2465, ImplicitTLS: true, Username: "u", Password: "new", From: "a@example.com"}},
		{"loopback without TLS", map[string]string{"SMTP_URL": "smtp://127.0.0.1:2525", "MAIL_FROM": "a@example.com"},
			Mail{Host: "127.0.0.1", Port: 2525, From: "a@example.com"}},
		{"compose service name without TLS", map[string]string{"SMTP_URL": "smtp://mailpit:1025", "MAIL_FROM": "a@example.com"},
			Mail{Host: "mailpit", Port: 1025, From: "a@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, tt.env)
			if diff := cmp.Diff(tt.want, c.Mail); diff != "" {
				t.Errorf("Mail (-want +got):\n%s", diff)
			}
			if c.Mail.Enabled() != (tt.want.Host != "") {
				t.Errorf("Enabled() = %v", c.Mail.Enabled())
			}
		})
	}
}

func TestLoadMailProblems(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		field   string
		message string
	}{
		{"no sender", map[string]string{"SMTP_URL": "smtp://mailpit:1025"}, "MAIL_FROM", "required"},
		{"bad sender", map[string]string{"SMTP_URL": "smtp://mailpit:1025", "MAIL_FROM": "not an address"}, "MAIL_FROM", "not an e-mail address"},
		{"scheme", map[string]string{"SMTP_URL": "http://mail.example.com", "MAIL_FROM": "a@example.com"}, "SMTP_URL", "neither smtp nor smtps"},
		{"port", map[string]string{"SMTP_URL": "smtp://mail.example.com:99999", "MAIL_FROM": "a@example.com"}, "SMTP_URL", "port"},
		{"path", map[string]string{"SMTP_URL": "smtp://mail.example.com/x", "MAIL_FROM": "a@example.com"}, "SMTP_URL", "no path"},
		{"no host", map[string]string{"SMTP_URL": "smtp://:25", "MAIL_FROM": "a@example.com"}, "SMTP_URL", "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := mustProblems(t, tt.env, "")
			if len(errs) != 1 || errs[0].Name != tt.field || !strings.Contains(errs[0].Problem, tt.message) {
				t.Fatalf("problems %v, want one on %s saying %q", errs, tt.field, tt.message)
			}
		})
	}
	// The password never appears in a problem.
	errs := mustProblems(t, map[string]string{"SMTP_URL": "smtp://u:hunter2@mail.example.com/x?y", "MAIL_FROM": "a@example.com"}, "")
	if strings.Contains(errs.Error(), "hunter2") {
		t.Errorf("a problem shows the password: %v", errs)
	}
}

func TestLoadMailNoticesWithoutURL(t *testing.T) {
	c := mustLoad(t, map[string]string{"MAIL_FROM": "a@example.com"})
	if c.Mail.Enabled() || len(c.Notices) == 0 || !strings.Contains(strings.Join(c.Notices, " "), "MAIL_FROM is ignored") {
		t.Errorf("Mail %+v notices %v", c.Mail, c.Notices)
	}
}
