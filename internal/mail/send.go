package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Options say how to reach the SMTP server (config.Mail).
type Options struct {
	Host        string
	Port        int
	ImplicitTLS bool // smtps://
	RequireTLS  bool // refuse to send unless STARTTLS succeeds
	Username    string
	Password    string
	// Timeout bounds the connection and each command (30 s).
	Timeout time.Duration
	// TLSConfig verifies the server (the system roots and Host); tests give their own roots.
	TLSConfig *tls.Config
	// HELO is the name this client gives (the host name).
	HELO string
}

// Sender sends messages through one SMTP server. It is safe for concurrent use: each Send has
// its own connection.
type Sender struct {
	opts Options
}

// NewSender returns a Sender for opts; it does not connect.
func NewSender(opts Options) (*Sender, error) {
	if opts.Host == "" || opts.Port < 1 || opts.Port > 65535 {
		return nil, fmt.Errorf("mail: no SMTP host and port")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	return &Sender{opts: opts}, nil
}

// SendError is why a message was not sent, or may not have been.
type SendError struct {
	// Temporary: the server said 4xx or could not be reached; sending later may work.
	Temporary bool
	// Unknown: the connection broke while the message was handed over, so the server may have
	// accepted it. Sending again could deliver it twice.
	Unknown bool
	// Code is the server's reply code (0 when it did not reply).
	Code int
	// Reply is the server's answer, or what went wrong.
	Reply string
}

func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("mail: %d %s", e.Code, e.Reply)
	}
	return "mail: " + e.Reply
}

// Send connects, then calls prepare for the message to hand over: prepare returns nil when the
// message must not be sent (another attempt has it), and Send then returns nil without sending.
// Preparing after the connection is up means an unreachable server never costs a claim: prepare
// is where the caller claims the message. Cancelling ctx (a replica stopped hard) closes the
// connection at once, mid-message if need be: the outcome is then Unknown, and the caller must
// not send again on its own.
//
// A failure is a *SendError: Temporary for 4xx replies and connection problems, neither
// Temporary nor Unknown for 5xx replies (final), Unknown when the outcome cannot be known. An
// error of prepare is returned as it is.
func (s *Sender) Send(ctx context.Context, prepare func(context.Context) (*Message, error)) error {
	var raw net.Conn // the TCP (or TLS) connection, closed directly when ctx ends
	var rawMu sync.Mutex
	client, err := s.client(func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := s.dial(ctx, network, addr)
		rawMu.Lock()
		raw = c
		rawMu.Unlock()
		return c, err
	})
	if err != nil {
		return err
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return connectError(err)
	}
	defer func() { _ = client.CloseWithSMTPClient(conn) }()
	stop := context.AfterFunc(ctx, func() {
		rawMu.Lock()
		defer rawMu.Unlock()
		if raw != nil {
			_ = raw.Close()
		}
	})
	defer stop()
	m, err := prepare(ctx)
	if err != nil || m == nil {
		return err
	}
	msg, err := m.build()
	if err != nil {
		return err
	}
	if err := conn.UpdateDeadline(s.opts.Timeout); err != nil {
		return &SendError{Unknown: true, Reply: err.Error()}
	}
	err = client.SendWithSMTPClient(conn, msg)
	if err == nil || msg.IsDelivered() {
		return nil
	}
	se := sendError(err)
	if ctx.Err() != nil && se.Code == 0 {
		se.Unknown, se.Temporary = true, false
		se.Reply = "stopped while sending: " + se.Reply
	}
	return se
}

// tlsConfig verifies the server: Options.TLSConfig or the system roots, for Host.
func (s *Sender) tlsConfig() *tls.Config {
	c := s.opts.TLSConfig
	if c == nil {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	c = c.Clone()
	if c.ServerName == "" {
		c.ServerName = s.opts.Host
	}
	return c
}

// dial opens the connection, TLS from the start for smtps://.
func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: s.opts.Timeout}
	if s.opts.ImplicitTLS {
		return (&tls.Dialer{NetDialer: d, Config: s.tlsConfig()}).DialContext(ctx, network, addr)
	}
	return d.DialContext(ctx, network, addr)
}

// client is a go-mail client configured from the options, connecting with dial.
func (s *Sender) client(dial gomail.DialContextFunc) (*gomail.Client, error) {
	o := s.opts
	opts := []gomail.Option{
		gomail.WithPort(o.Port),
		gomail.WithTimeout(o.Timeout),
		gomail.WithTLSConfig(s.tlsConfig()),
		gomail.WithoutNoop(),
		gomail.WithDialContextFunc(dial),
	}
	switch {
	case o.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case o.RequireTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if o.HELO != "" {
		opts = append(opts, gomail.WithHELO(o.HELO))
	}
	if o.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(o.Username), gomail.WithPassword(o.Password))
	}
	c, err := gomail.NewClient(o.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: client: %w", err)
	}
	return c, nil
}

// connectError classifies a failure before the message was offered: nothing was sent. A 5xx
// reply (e.g. 535 bad credentials) and a server without the required STARTTLS are final, the
// rest (refused, timed out, 4xx) temporary.
func connectError(err error) *SendError {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &SendError{Temporary: tp.Code < 500, Code: tp.Code, Reply: tp.Msg}
	}
	msg := err.Error()
	if strings.Contains(msg, "STARTTLS") {
		return &SendError{Reply: "the server does not offer STARTTLS, which is required for it (" + msg + ")"}
	}
	return &SendError{Temporary: true, Reply: msg}
}

// sendError classifies a failure of MAIL, RCPT, DATA or the message's transfer.
func sendError(err error) *SendError {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return &SendError{Unknown: true, Reply: err.Error()}
	}
	reply := err.Error()
	if i := strings.Index(reply, ", affected message ID:"); i >= 0 {
		reply = reply[:i]
	}
	code := se.ErrorCode()
	switch se.Reason {
	case gomail.ErrWriteContent, gomail.ErrSMTPDataClose:
		if code == 0 {
			return &SendError{Unknown: true, Reply: reply}
		}
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData:
		if code == 0 {
			return &SendError{Temporary: true, Reply: reply}
		}
	}
	return &SendError{Temporary: code >= 400 && code < 500, Code: code, Reply: reply}
}
