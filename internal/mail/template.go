package mail

import (
	"fmt"
	"regexp"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Placeholders are the names a subject or message template may use, in the order the settings
// page lists them.
var Placeholders = []string{"customer", "document_kind", "number", "amount_due", "due_date", "link", "issuer"}

// The Japanese defaults of an organisation's templates.
const (
	DefaultSubject = "【{{document_kind}}】{{number}} のご送付（{{issuer}}）"
	DefaultMessage = `{{customer}}
ご担当者様

いつもお世話になっております。{{issuer}}です。
{{document_kind}}（{{number}}）をお送りいたします。
ご請求金額: {{amount_due}}
お支払期限: {{due_date}}

下記のリンクからご確認ください。
{{link}}

ご不明な点がございましたら、お気軽にお問い合わせください。
今後ともよろしくお願いいたします。

{{issuer}}`
	DefaultReminderSubject = "【お支払いのお願い】{{number}}（{{issuer}}）"
	DefaultReminderMessage = `{{customer}}
ご担当者様

いつもお世話になっております。{{issuer}}です。
{{due_date}}がお支払期限の{{document_kind}}（{{number}}）につきまして、
本日時点でご入金を確認できておりません。
ご請求残高: {{amount_due}}

お手数ですが、ご確認のうえお支払いくださいますようお願いいたします。
{{link}}

行き違いでお支払いいただいている場合は、ご容赦ください。

{{issuer}}`
)

// placeholder matches {{name}} with optional spaces.
var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// CheckTemplate records under field each placeholder of s that is not one of Placeholders.
func CheckTemplate(fe domain.FieldErrors, field, s string) {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !known(m[1]) {
			fe.Add(field, fmt.Sprintf("不明な差し込み項目です: {{%s}} (unknown placeholder {{%s}}; use %s)", m[1], m[1], placeholderList()))
		}
	}
}

// HasPlaceholder reports whether s uses {{name}}.
func HasPlaceholder(s, name string) bool {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if m[1] == name {
			return true
		}
	}
	return false
}

// Expand fills the placeholders of s from values; a placeholder values lacks is kept as it is
// (so {{link}} can be filled later, when the link exists). Unknown names are CheckTemplate's
// to refuse.
func Expand(s string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := values[placeholder.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

func known(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

func placeholderList() string {
	out := make([]string, len(Placeholders))
	for i, p := range Placeholders {
		out[i] = "{{" + p + "}}"
	}
	return strings.Join(out, ", ")
}

// Values are the placeholders' values for a document (all but {{link}}, filled when the link
// exists): the customer with its honorific, the document's title, number, amount due (the
// balance of an invoice being reminded of), due date, and the issuer's name.
func Values(doc document.Document, amountDue int64) map[string]string {
	v := map[string]string{
		"document_kind": doc.Title(),
		"amount_due":    document.FormatYen(amountDue),
	}
	if doc.Customer != nil {
		v["customer"] = strings.TrimSpace(doc.Customer.Name + " " + doc.Customer.Honorific)
	}
	if doc.Issuer != nil {
		v["issuer"] = doc.Issuer.Name
	}
	if doc.Number != nil {
		v["number"] = *doc.Number
	}
	if doc.DueDate != nil {
		v["due_date"] = doc.DueDate.Japanese()
	} else {
		v["due_date"] = ""
	}
	for _, k := range []string{"customer", "issuer", "number"} {
		if _, ok := v[k]; !ok {
			v[k] = ""
		}
	}
	return v
}

// Compose fills a subject and message template with values, keeping {{link}} in the message
// for the send job to fill: appended when link is on and the message lacks it, dropped when
// link is off. The templates' placeholders are checked first (CheckTemplate).
func Compose(subject, message string, values map[string]string, link bool) (string, string) {
	subject = strings.TrimSpace(Expand(subject, values))
	if link && !HasPlaceholder(message, "link") {
		message = strings.TrimRight(message, "\n") + "\n\n{{link}}"
	}
	v := make(map[string]string, len(values)+1)
	for k, x := range values {
		v[k] = x
	}
	delete(v, "link")
	if !link {
		v["link"] = ""
	}
	return subject, Expand(message, v)
}
