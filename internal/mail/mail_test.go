package mail_test

import (
	"bytes"
	"context"
	"errors"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"reportapp/internal/domain"
	"reportapp/internal/mail"
	"reportapp/internal/mail/mailtest"
)

// pdfBytes stands in for a PDF: binary, with every byte value.
func pdfBytes() []byte {
	b := []byte("%PDF-1.7\n")
	for i := 0; i < 3000; i++ {
		b = append(b, byte(i*7))
	}
	return b
}

func sampleMessage() *mail.Message {
	replyTo := netmail.Address{Name: "経理担当 山田", Address: "yamada@issuer.example"}
	return &mail.Message{
		From:        netmail.Address{Name: "株式会社サンプル 請求書", Address: "billing@issuer.example"},
		ReplyTo:     &replyTo,
		To:          []netmail.Address{{Name: "経理部", Address: "keiri@customer.example"}},
		Cc:          []netmail.Address{{Address: "boss@customer.example"}},
		Subject:     "【請求書】INV-0001 のご送付（株式会社サンプル）",
		Text:        "株式会社テスト 御中\n\n請求書をお送りします。\nhttps://invoice.example.com/d/abc\n",
		MessageID:   "0192abcd-delivery@reportapp.invoice.example.com",
		Date:        time.Date(2026, 12, 1, 10, 30, 0, 0, time.FixedZone("JST", 9*3600)),
		Attachments: []mail.Attachment{{Name: "請求書_INV-0001.pdf", ContentType: "application/pdf", Data: pdfBytes()}},
	}
}

func TestMessageMIME(t *testing.T) {
	m := sampleMessage()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := mailtest.Parse(t, raw)
	dec := new(mime.WordDecoder)
	decoded := func(name string) string {
		v, err := dec.DecodeHeader(p.Header.Get(name))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for name, want := range map[string]string{
		"From":         `株式会社サンプル 請求書 <billing@issuer.example>`,
		"Reply-To":     `経理担当 山田 <yamada@issuer.example>`,
		"To":           `経理部 <keiri@customer.example>`,
		"Cc":           `<boss@customer.example>`,
		"Message-Id":   "<0192abcd-delivery@reportapp.invoice.example.com>",
		"Mime-Version": "1.0",
	} {
		if got := decoded(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// Addresses parse back as a mail program reads them.
	for name, want := range map[string]netmail.Address{"From": m.From, "Reply-To": *m.ReplyTo, "To": m.To[0], "Cc": m.Cc[0]} {
		list, err := p.Header.AddressList(name)
		if err != nil || len(list) != 1 || *list[0] != want {
			t.Errorf("%s parses as %v (%v), want %v", name, list, err, want)
		}
	}
	for _, name := range []string{"From", "To", "Reply-To", "Subject"} {
		if v := p.Header.Get(name); strings.ContainsFunc(v, func(r rune) bool { return r > 127 }) {
			t.Errorf("%s is not RFC 2047 encoded: %q", name, v)
		}
	}
	date, err := p.Header.Date()
	if err != nil || !date.Equal(m.Date) {
		t.Errorf("Date %v (%v), want %v", date, err, m.Date)
	}
	if p.Subject != m.Subject {
		t.Errorf("subject %q, want %q", p.Subject, m.Subject)
	}
	if p.Mixed != "multipart/mixed" || p.Alt != "multipart/alternative" {
		t.Errorf("structure %s / %s, want multipart/mixed holding multipart/alternative", p.Mixed, p.Alt)
	}
	if p.Text != m.Text {
		t.Errorf("text %q, want %q", p.Text, m.Text)
	}
	if !strings.Contains(p.HTML, "請求書をお送りします。") || !strings.Contains(p.HTML, `<a href="https://invoice.example.com/d/abc">`) {
		t.Errorf("html %q lacks the text or the link", p.HTML)
	}
	if p.FileName != "請求書_INV-0001.pdf" || p.FileName2047 != "請求書_INV-0001.pdf" {
		t.Errorf("file name %q (RFC 2231), %q (RFC 2047), want 請求書_INV-0001.pdf", p.FileName, p.FileName2047)
	}
	if p.ContentName != "請求書_INV-0001.pdf" {
		t.Errorf("Content-Type name %q", p.ContentName)
	}
	if !bytes.Equal(p.File, pdfBytes()) {
		t.Errorf("the attachment differs from the file (%d bytes, want %d)", len(p.File), len(pdfBytes()))
	}
}

func TestMessageCheck(t *testing.T) {
	many := make([]netmail.Address, mail.MaxRecipients+1)
	for i := range many {
		many[i] = netmail.Address{Address: "a@customer.example"}
	}
	tests := []struct {
		name  string
		edit  func(m *mail.Message)
		field string
	}{
		{"CR LF in the subject", func(m *mail.Message) { m.Subject = "請求書\r\nBcc: victim@example.com" }, "subject"},
		{"LF in a recipient name", func(m *mail.Message) { m.To[0].Name = "経理部\nBcc: x@example.com" }, "to[0]"},
		{"CR in a cc address", func(m *mail.Message) { m.Cc[0].Address = "a@b.example\rX: y" }, "cc[0]"},
		{"LF in the sender name", func(m *mail.Message) { m.From.Name = "x\ny" }, "from"},
		{"LF in Reply-To", func(m *mail.Message) { m.ReplyTo.Name = "x\ny" }, "reply_to"},
		{"LF in the file name", func(m *mail.Message) { m.Attachments[0].Name = "a\nb.pdf" }, "attachments[0]"},
		{"no recipient", func(m *mail.Message) { m.To = nil }, "to"},
		{"too many recipients", func(m *mail.Message) { m.To = many }, "to"},
		{"no subject", func(m *mail.Message) { m.Subject = " " }, "subject"},
		{"too long a body", func(m *mail.Message) { m.Text = strings.Repeat("あ", mail.MaxTextLen+1) }, "message"},
		{"too large", func(m *mail.Message) { m.Attachments[0].Data = make([]byte, mail.MaxSize) }, "message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMessage()
			tt.edit(m)
			err := m.Check()
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.EInvalid || de.Fields[tt.field] == "" {
				t.Fatalf("Check() = %v, want EInvalid on %s", err, tt.field)
			}
			if _, err := m.Bytes(); err == nil {
				t.Error("the message was built anyway")
			}
		})
	}
	if err := sampleMessage().Check(); err != nil {
		t.Errorf("the sample message: %v", err)
	}
}

func TestParseAddress(t *testing.T) {
	for _, ok := range []string{"keiri@customer.example", "経理部 <keiri@customer.example>", `"Sato, Ichiro" <sato@example.co.jp>`} {
		if _, err := mail.ParseAddress("to[0]", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "keiri", "keiri@localhost", "a@b.example\r\nBcc: c@d.example", "<>", "a@[127.0.0.1]", "a@b.example, c@d.example"} {
		_, err := mail.ParseAddress("to[0]", bad)
		var de *domain.Error
		if !errors.As(err, &de) || de.Fields["to[0]"] == "" {
			t.Errorf("%q: %v, want a problem on to[0]", bad, err)
		}
	}
	if _, err := mail.ParseAddresses("cc", []string{"ok@example.com", "bad"}); err == nil || !strings.Contains(err.(*domain.Error).Fields["cc[1]"], "メールアドレス") {
		t.Errorf("ParseAddresses: %v, want a problem on cc[1]", err)
	}
}

// ready is a prepare function handing over m.
func ready(m *mail.Message) func(context.Context) (*mail.Message, error) {
	return func(context.Context) (*mail.Message, error) { return m, nil }
}

func mustSender(t *testing.T, srv *mailtest.Server, edit func(*mail.Options)) *mail.Sender {
	t.Helper()
	o := mail.Options{Host: srv.Host, Port: srv.Port, TLSConfig: srv.ClientTLS, Timeout: 10 * time.Second}
	if edit != nil {
		edit(&o)
	}
	s, err := mail.NewSender(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendSTARTTLSWithAuth(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: true, Username: "billing", Password: "s3cret"})
	s := mustSender(t, srv, func(o *mail.Options) { o.RequireTLS, o.Username, o.Password = true, "billing", "s3cret" })
	m := sampleMessage()
	claimed := 0
	if err := s.Send(context.Background(), func(context.Context) (*mail.Message, error) { claimed++; return m, nil }); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || claimed != 1 {
		t.Fatalf("%d messages, %d claims", len(got), claimed)
	}
	if got[0].From != "billing@issuer.example" || strings.Join(got[0].To, ",") != "keiri@customer.example,boss@customer.example" {
		t.Errorf("envelope %s → %v", got[0].From, got[0].To)
	}
	if p := mailtest.Parse(t, got[0].Data); p.Subject != m.Subject || !bytes.Equal(p.File, pdfBytes()) || p.FileName != "請求書_INV-0001.pdf" {
		t.Errorf("arrived: subject %q, file %q (%d bytes)", p.Subject, p.FileName, len(p.File))
	}

	// A wrong password is final, with the server's reply.
	bad := mustSender(t, srv, func(o *mail.Options) { o.RequireTLS, o.Username, o.Password = true, "billing", "wrong" })
	err := bad.Send(context.Background(), ready(sampleMessage()))
	var se *mail.SendError
	if !errors.As(err, &se) || se.Temporary || se.Code != 535 {
		t.Errorf("bad password: %#v", err)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: true, Implicit: true})
	s := mustSender(t, srv, func(o *mail.Options) { o.ImplicitTLS = true })
	if err := s.Send(context.Background(), ready(sampleMessage())); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d messages", n)
	}
}

func TestSendRequiresTLSWhenAsked(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{}) // no STARTTLS
	s := mustSender(t, srv, func(o *mail.Options) { o.RequireTLS = true })
	claimed := false
	err := s.Send(context.Background(), func(context.Context) (*mail.Message, error) { claimed = true; return sampleMessage(), nil })
	var se *mail.SendError
	if !errors.As(err, &se) || se.Temporary || !strings.Contains(se.Reply, "STARTTLS") || claimed {
		t.Fatalf("Send without STARTTLS = %v (claimed %v), want a final error naming STARTTLS", err, claimed)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent in the clear", n)
	}
	// Without the requirement (loopback) it goes.
	if err := mustSender(t, srv, nil).Send(context.Background(), ready(sampleMessage())); err != nil {
		t.Fatal(err)
	}
}

func TestSendClassifiesReplies(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := mustSender(t, srv, nil)
	for _, stage := range []string{"mail", "rcpt", "data"} {
		for _, tc := range []struct {
			reply     error
			temporary bool
			code      int
		}{{mailtest.Temporary, true, 451}, {mailtest.Permanent, false, 550}} {
			srv.Reject(func(s string) error {
				if s == stage {
					return tc.reply
				}
				return nil
			})
			err := s.Send(context.Background(), ready(sampleMessage()))
			var se *mail.SendError
			if !errors.As(err, &se) || se.Temporary != tc.temporary || se.Unknown || se.Code != tc.code {
				t.Errorf("%s %d: %#v", stage, tc.code, err)
				continue
			}
			if want := strings.TrimPrefix(tc.reply.Error(), ""); !strings.Contains(se.Reply, "Try again later") && !strings.Contains(se.Reply, "No such user") {
				t.Errorf("%s: reply %q does not keep the server's answer %q", stage, se.Reply, want)
			}
		}
	}
	srv.Reject(nil)
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages recorded though refused", n)
	}
	// Not claimed: nothing is sent.
	if err := s.Send(context.Background(), func(context.Context) (*mail.Message, error) { return nil, nil }); err != nil || len(srv.Messages()) != 0 {
		t.Errorf("unclaimed send: %v, %d messages", err, len(srv.Messages()))
	}
}

func TestSendUnreachableIsTemporary(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	port := srv.Port
	s, _ := mail.NewSender(mail.Options{Host: "127.0.0.1", Port: port + 1, Timeout: 2 * time.Second})
	err := s.Send(context.Background(), func(context.Context) (*mail.Message, error) {
		t.Error("claimed before connecting")
		return sampleMessage(), nil
	})
	var se *mail.SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("unreachable: %#v", err)
	}
}

func TestSendCancelledMidMessageIsUnknown(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Hold()
	s := mustSender(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, ready(sampleMessage())) }()
	srv.Wait(t, 1, 10*time.Second)
	cancel()
	select {
	case err := <-done:
		var se *mail.SendError
		if !errors.As(err, &se) || !se.Unknown || se.Temporary {
			t.Errorf("cancelled mid-message: %#v, want Unknown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send did not return after its context ended")
	}
}
