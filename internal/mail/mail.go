// Package mail builds the e-mails reportapp sends (documents, reminders) and sends them through
// the configured SMTP server. A Message is UTF-8 multipart/mixed holding a multipart/alternative
// text + HTML body and attachments; headers are RFC 2047 encoded, attachment names RFC 2231
// encoded with an RFC 2047 fallback, and no field may hold a line break, so nothing a user types
// can add a header. The SMTP conversation is go-mail's (github.com/wneessen/go-mail).
package mail

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"reportapp/internal/domain"
)

// Limits of a message, checked by Check.
const (
	// MaxRecipients is the most addresses To and Cc may hold together.
	MaxRecipients = 20
	// MaxSize is the largest message, attachments included, as it is sent (base64 grows an
	// attachment by a third): most providers accept 10–25 MB.
	MaxSize = 10 << 20
	// MaxSubjectLen is the longest subject, in characters.
	MaxSubjectLen = 200
	// MaxTextLen is the longest body, in characters.
	MaxTextLen = 20000
	// maxAddressLen bounds one address as typed.
	maxAddressLen = 320
)

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // file name, may be Japanese: 請求書_INV-0001.pdf
	ContentType string // e.g. application/pdf
	Data        []byte
}

// Message is one e-mail. Field names in errors are the API's: to, cc, subject, message,
// reply_to, from.
type Message struct {
	From        netmail.Address
	ReplyTo     *netmail.Address
	To, Cc      []netmail.Address
	Subject     string
	Text        string // the plain-text body
	HTML        string // the HTML body; built from Text when empty
	Attachments []Attachment
	MessageID   string // without angle brackets, e.g. 0192…@reportapp
	Date        time.Time
}

// ParseAddress reads one address as a person types it: keiri@customer.example or
// 経理部 <keiri@customer.example>. A problem is a *domain.Error (EInvalid) naming field.
func ParseAddress(field, s string) (netmail.Address, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return netmail.Address{}, fieldError(field, "メールアドレスを入力してください (enter an e-mail address)")
	case strings.ContainsAny(s, "\r\n"):
		return netmail.Address{}, fieldError(field, "改行は使えません (line breaks are not allowed)")
	case utf8.RuneCountInString(s) > maxAddressLen || !utf8.ValidString(s):
		return netmail.Address{}, fieldError(field, "メールアドレスの形式が正しくありません (not a valid e-mail address)")
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || !domain.ValidEmail(a.Address) {
		return netmail.Address{}, fieldError(field, fmt.Sprintf("メールアドレスの形式が正しくありません: %s (not a valid e-mail address)", s))
	}
	return *a, nil
}

// ParseAddresses reads a list of addresses as ParseAddress does; problems are named
// field[0], field[1], ….
func ParseAddresses(field string, list []string) ([]netmail.Address, error) {
	fe := domain.FieldErrors{}
	out := make([]netmail.Address, 0, len(list))
	for i, s := range list {
		a, err := ParseAddress(fmt.Sprintf("%s[%d]", field, i), s)
		if err != nil {
			fe.Merge(err)
			continue
		}
		out = append(out, a)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Check validates the message as a whole: recipients (at least one To, at most MaxRecipients),
// no line break in any header field, lengths, and the size as sent (MaxSize). Problems are a
// *domain.Error with EInvalid and the field of each.
func (m *Message) Check() error {
	fe := domain.FieldErrors{}
	if len(m.To) == 0 {
		fe.Add("to", "宛先を入力してください (enter at least one recipient)")
	}
	if n := len(m.To) + len(m.Cc); n > MaxRecipients {
		fe.Add("to", fmt.Sprintf("宛先は合わせて%d件までです (at most %d recipients in to and cc)", MaxRecipients, MaxRecipients))
	}
	for field, list := range map[string][]netmail.Address{"to": m.To, "cc": m.Cc} {
		for i, a := range list {
			if hasLineBreak(a.Name) || hasLineBreak(a.Address) || !domain.ValidEmail(a.Address) {
				fe.Add(fmt.Sprintf("%s[%d]", field, i), "メールアドレスの形式が正しくありません (not a valid e-mail address)")
			}
		}
	}
	if hasLineBreak(m.From.Name) || hasLineBreak(m.From.Address) {
		fe.Add("from", "改行は使えません (line breaks are not allowed)")
	}
	if m.ReplyTo != nil && (hasLineBreak(m.ReplyTo.Name) || hasLineBreak(m.ReplyTo.Address) || !domain.ValidEmail(m.ReplyTo.Address)) {
		fe.Add("reply_to", "メールアドレスの形式が正しくありません (not a valid e-mail address)")
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		fe.Add("subject", "件名を入力してください (enter a subject)")
	case hasLineBreak(m.Subject):
		fe.Add("subject", "件名に改行は使えません (line breaks are not allowed in the subject)")
	case utf8.RuneCountInString(m.Subject) > MaxSubjectLen:
		fe.Add("subject", fmt.Sprintf("件名は%d文字以内で入力してください (at most %d characters)", MaxSubjectLen, MaxSubjectLen))
	}
	if utf8.RuneCountInString(m.Text) > MaxTextLen {
		fe.Add("message", fmt.Sprintf("本文は%d文字以内で入力してください (at most %d characters)", MaxTextLen, MaxTextLen))
	}
	if hasLineBreak(m.MessageID) || strings.ContainsAny(m.MessageID, "<> ") {
		fe.Add("message_id", "invalid Message-ID")
	}
	for i, a := range m.Attachments {
		if hasLineBreak(a.Name) || hasLineBreak(a.ContentType) {
			fe.Add(fmt.Sprintf("attachments[%d]", i), "改行は使えません (line breaks are not allowed)")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if n := m.size(); n > MaxSize {
		return fieldError("message", fmt.Sprintf("メールが大きすぎます (%d MB まで) (the message is over %d MB)", MaxSize>>20, MaxSize>>20))
	}
	return nil
}

// size is the message's length as sent: headers, bodies and base64 attachments.
func (m *Message) size() int64 {
	n := int64(len(m.Subject) + len(m.Text)*2 + len(m.HTML) + 4096)
	for _, a := range m.Attachments {
		n += int64(len(a.Data)+2)/3*4*78/76 + 512
	}
	return n
}

func hasLineBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

// WriteTo writes the message as sent (RFC 5322 with CRLF line ends). It checks the message first.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	msg, err := m.build()
	if err != nil {
		return 0, err
	}
	return msg.WriteTo(w)
}

// Bytes is WriteTo into memory.
func (m *Message) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// build is the go-mail message of m, after Check.
func (m *Message) build() (*gomail.Msg, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingB64),
		gomail.WithNoDefaultUserAgent())
	from := m.From
	msg.FromMailAddress(&from)
	msg.ToMailAddress(pointers(m.To)...)
	if len(m.Cc) > 0 {
		msg.CcMailAddress(pointers(m.Cc)...)
	}
	if m.ReplyTo != nil {
		rt := *m.ReplyTo
		msg.ReplyToMailAddress(&rt)
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageID()
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	html := m.HTML
	if html == "" {
		html = TextToHTML(m.Text)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text, gomail.WithPartEncoding(gomail.EncodingB64))
	msg.AddAlternativeString(gomail.TypeTextHTML, html, gomail.WithPartEncoding(gomail.EncodingB64))
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), fileHeaders(a.Name, ct)); err != nil {
			return nil, fmt.Errorf("mail: attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

// fileHeaders sets an attachment's Content-Type and Content-Disposition with its name twice:
// name*/filename* per RFC 2231 (UTF-8, percent-encoded), which current mail programs read, and
// an RFC 2047 encoded word in name/filename for the older ones that only know that.
func fileHeaders(name, contentType string) gomail.FileOption {
	return func(f *gomail.File) {
		ext := rfc2231(name)
		enc := mime.BEncoding.Encode("UTF-8", name)
		f.Header.Set("Content-Type", fmt.Sprintf("%s; name=\"%s\"; name*=%s", contentType, enc, ext))
		f.Header.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"%s\"; filename*=%s", enc, ext))
	}
}

// rfc2231 is name as an RFC 2231 extended parameter value: UTF-8”%E8%AB%8B….
func rfc2231(name string) string {
	var b strings.Builder
	b.WriteString("UTF-8''")
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// TextToHTML is the HTML body of a plain-text one: escaped, paragraphs kept, URLs made links.
func TextToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif;line-height:1.6\">")
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if i > 0 {
			b.WriteString("<br>\n")
		}
		for j, word := range strings.Split(line, " ") {
			if j > 0 {
				b.WriteByte(' ')
			}
			esc := htmlEscape(word)
			if strings.HasPrefix(word, "https://") || strings.HasPrefix(word, "http://") {
				fmt.Fprintf(&b, "<a href=\"%s\">%s</a>", esc, esc)
				continue
			}
			b.WriteString(esc)
		}
	}
	b.WriteString("</body></html>")
	return b.String()
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&#34;", "'", "&#39;").Replace(s)
}

func pointers(list []netmail.Address) []*netmail.Address {
	out := make([]*netmail.Address, len(list))
	for i := range list {
		a := list[i]
		out[i] = &a
	}
	return out
}

func fieldError(field, msg string) error {
	fe := domain.FieldErrors{}
	fe.Add(field, msg)
	return fe.Err()
}
