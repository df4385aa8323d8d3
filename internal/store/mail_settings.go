package store

import (
	"context"
	"fmt"
	"time"

	"reportapp/internal/domain"
	"reportapp/internal/mail"
)

// MailSettings are an organisation's choices for sending documents by e-mail.
type MailSettings struct {
	Subject         string `json:"subject_template"`
	Message         string `json:"message_template"`
	ReminderSubject string `json:"reminder_subject_template"`
	ReminderMessage string `json:"reminder_message_template"`
	SenderName      string `json:"sender_name"` // the From name; "" uses MAIL_FROM's
	ReplyTo         string `json:"reply_to"`    // "" for none
	LinkDays        int    `json:"link_days"`   // how long a link opens the document
	// Automatic reminders (督促) of overdue invoices: the first ReminderAfterDays after the due
	// date, then every ReminderEveryDays, at most ReminderMax in all.
	RemindersEnabled  bool `json:"reminders_enabled"`
	ReminderAfterDays int  `json:"reminder_after_days"`
	ReminderEveryDays int  `json:"reminder_every_days"`
	ReminderMax       int  `json:"reminder_max"`
}

// DefaultMailSettings are the settings of an organisation that has saved none.
func DefaultMailSettings() MailSettings {
	return MailSettings{
		Subject: mail.DefaultSubject, Message: mail.DefaultMessage,
		ReminderSubject: mail.DefaultReminderSubject, ReminderMessage: mail.DefaultReminderMessage,
		LinkDays: 60, ReminderAfterDays: 7, ReminderEveryDays: 14, ReminderMax: 3,
	}
}

// Validate checks the settings; problems are EInvalid with the JSON field names.
func (s MailSettings) Validate() error {
	fe := domain.FieldErrors{}
	for _, f := range []struct {
		field, value string
		max          int
		subject      bool
	}{
		{"subject_template", s.Subject, mail.MaxSubjectLen, true},
		{"message_template", s.Message, 5000, false},
		{"reminder_subject_template", s.ReminderSubject, mail.MaxSubjectLen, true},
		{"reminder_message_template", s.ReminderMessage, 5000, false},
	} {
		switch {
		case f.value == "":
			fe.Add(f.field, "必須です (required)")
		case len([]rune(f.value)) > f.max:
			fe.Add(f.field, fmt.Sprintf("%d文字以内で入力してください (at most %d characters)", f.max, f.max))
		case f.subject && (containsLineBreak(f.value)):
			fe.Add(f.field, "件名に改行は使えません (line breaks are not allowed in the subject)")
		}
		mail.CheckTemplate(fe, f.field, f.value)
	}
	if containsLineBreak(s.SenderName) {
		fe.Add("sender_name", "改行は使えません (line breaks are not allowed)")
	} else if len([]rune(s.SenderName)) > 100 {
		fe.Add("sender_name", "100文字以内で入力してください (at most 100 characters)")
	}
	if s.ReplyTo != "" {
		if a, err := mail.ParseAddress("reply_to", s.ReplyTo); err != nil {
			fe.Merge(err)
		} else if a.Name != "" {
			fe.Add("reply_to", "アドレスだけを入力してください (the address only, like keiri@example.com)")
		}
	}
	checkRange := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			fe.Add(field, fmt.Sprintf("%d〜%dの整数です (a whole number from %d to %d)", lo, hi, lo, hi))
		}
	}
	checkRange("link_days", s.LinkDays, 1, 365)
	checkRange("reminder_after_days", s.ReminderAfterDays, 1, 365)
	checkRange("reminder_every_days", s.ReminderEveryDays, 1, 365)
	checkRange("reminder_max", s.ReminderMax, 1, 10)
	return fe.Err()
}

func containsLineBreak(s string) bool {
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return true
		}
	}
	return false
}

const mailSettingsColumns = `subject_template, message_template, reminder_subject, reminder_message, sender_name,
	reply_to, link_days, reminders_enabled, reminder_after_days, reminder_every_days, reminder_max`

// GetMailSettings returns the organisation's mail settings, the defaults when it saved none.
func (db *DB) GetMailSettings(ctx context.Context, orgID string) (MailSettings, error) {
	return getMailSettings(ctx, db.q(), orgID)
}

func getMailSettings(ctx context.Context, q querier, orgID string) (MailSettings, error) {
	var (
		s       MailSettings
		enabled int64
	)
	err := q.queryRow(ctx, `SELECT `+mailSettingsColumns+` FROM mail_settings WHERE org_id = ?`, orgID).Scan(
		&s.Subject, &s.Message, &s.ReminderSubject, &s.ReminderMessage, &s.SenderName, &s.ReplyTo, &s.LinkDays,
		&enabled, &s.ReminderAfterDays, &s.ReminderEveryDays, &s.ReminderMax)
	if notFound(err) {
		return DefaultMailSettings(), nil
	}
	if err != nil {
		return MailSettings{}, fmt.Errorf("store: mail settings: %w", err)
	}
	s.RemindersEnabled = enabled != 0
	return s, nil
}

// PutMailSettings validates and saves the organisation's mail settings.
func (db *DB) PutMailSettings(ctx context.Context, orgID string, s MailSettings) (MailSettings, error) {
	if err := s.Validate(); err != nil {
		return MailSettings{}, err
	}
	_, err := db.q().exec(ctx, `INSERT INTO mail_settings (org_id, `+mailSettingsColumns+`, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET subject_template = excluded.subject_template,
		message_template = excluded.message_template, reminder_subject = excluded.reminder_subject,
		reminder_message = excluded.reminder_message, sender_name = excluded.sender_name, reply_to = excluded.reply_to,
		link_days = excluded.link_days, reminders_enabled = excluded.reminders_enabled,
		reminder_after_days = excluded.reminder_after_days, reminder_every_days = excluded.reminder_every_days,
		reminder_max = excluded.reminder_max, updated_at = excluded.updated_at`,
		orgID, s.Subject, s.Message, s.ReminderSubject, s.ReminderMessage, s.SenderName, s.ReplyTo, s.LinkDays,
		boolInt(s.RemindersEnabled), s.ReminderAfterDays, s.ReminderEveryDays, s.ReminderMax, timeArg(db.nowUTC()))
	if err != nil {
		return MailSettings{}, fmt.Errorf("store: save mail settings: %w", err)
	}
	return s, nil
}

// LinkLifetime is how long the organisation's new links open the document.
func (s MailSettings) LinkLifetime() time.Duration { return time.Duration(s.LinkDays) * 24 * time.Hour }
