package fleet

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnOptions say how to reach a NATS server and who drover is to it. The
// secrets may come from the URL (nats://user:password@host), from the
// fields, or from files; every message that names the server names it
// through Redact.
type ConnOptions struct {
	URL  string // a URL, or a comma-separated list of a cluster's URLs
	Name string // the connection's name, as the server shows it

	User, Password string // user and password, unless the URL has them
	Token          string // an authentication token
	CredsFile      string // a NATS credentials file: a user JWT and its NKey seed
	NKeyFile       string // a file holding an NKey seed (SU...)
	CAFile         string // PEM certificates of the CAs to trust; implies TLS

	// Inbox starts the reply subjects of the connection: a namespace's
	// Names.Inbox, which its workers and runs need; "" is NATS's _INBOX.
	Inbox string

	// OnChange hears of a connection lost ("lost the connection...") and
	// found again (""), and of the errors the server reports on its own
	// ("NATS: ...", a permissions violation). It is called from the
	// connection's goroutine.
	OnChange func(string)
}

// Dial connects to a NATS server as o says. A server that cannot be
// reached, or that refuses drover's credentials or certificate, is an
// error at once; a connection lost later is retried for ever, once a
// second, and said through OnChange.
func Dial(o ConnOptions) (*nats.Conn, error) {
	say := func(s string) {
		if o.OnChange != nil {
			o.OnChange(s)
		}
	}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.Timeout(5 * time.Second),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				say(fmt.Sprintf("lost the connection to NATS (%v); reconnecting", err))
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { say("") }),
		// Errors the server sends on its own, such as a permissions
		// violation, are said rather than printed.
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				say(fmt.Sprintf("NATS: %v (subscription on %s)", err, sub.Subject))
			} else {
				say(fmt.Sprintf("NATS: %v", err))
			}
		}),
	}
	if o.Inbox != "" {
		opts = append(opts, nats.CustomInboxPrefix(o.Inbox))
	}
	if o.User != "" || o.Password != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CredsFile != "" {
		if _, err := os.Stat(o.CredsFile); err != nil {
			return nil, fmt.Errorf("credentials file: %w", err)
		}
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.NKeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("nkey seed file %s: %w", o.NKeyFile, err)
		}
		opts = append(opts, opt)
	}
	if o.CAFile != "" {
		b, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", o.CAFile)
		}
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		err = fmt.Errorf("cannot reach the NATS server at %s: %w", Redact(o.URL), explainDial(err))
		return nil, &maskedError{msg: Mask(err.Error(), o.URL, o.Password, o.Token), err: err}
	}
	return nc, nil
}

// maskedError is an error whose text has its secrets masked; errors.Is
// and errors.As still see the error it wraps.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// Mask replaces in text every password and token that urls (one URL, or a
// comma-separated list) hold, whatever their shape, and the secrets more,
// by xxxxx: as they are written, decoded, and quoted as Go quotes them in
// its errors.
func Mask(text, urls string, more ...string) string {
	secrets := append([]string(nil), more...)
	for _, u := range strings.Split(urls, ",") {
		secrets = append(secrets, secretOf(strings.TrimSpace(u)))
	}
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		forms := []string{secret, strings.Trim(strconv.Quote(secret), `"`)}
		if decoded, err := url.PathUnescape(secret); err == nil {
			forms = append(forms, decoded)
		}
		for _, f := range forms {
			if f != "" {
				text = strings.ReplaceAll(text, f, redacted)
			}
		}
	}
	return text
}

// secretOf is the password (user:password@host) or token (token@host)
// of one URL, found without parsing it: a URL that does not parse still
// has its secret.
func secretOf(u string) string {
	at := strings.LastIndexByte(u, '@')
	if at < 0 {
		return ""
	}
	start := strings.Index(u, "://")
	if start < 0 || start > at {
		start = 0
	} else {
		start += 3
	}
	info := u[start:at]
	if colon := strings.IndexByte(info, ':'); colon >= 0 {
		return info[colon+1:]
	}
	return info
}

// explainDial adds what to do to the connection errors a person can fix.
func explainDial(err error) error {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	switch {
	case errors.As(err, &unknownCA):
		return fmt.Errorf("%w (the server's certificate is not signed by a CA drover trusts: give --nats-ca FILE)", err)
	case errors.As(err, &hostname):
		return fmt.Errorf("%w (the server's certificate is not for this host name)", err)
	case errors.Is(err, nats.ErrAuthorization), strings.Contains(err.Error(), "Authorization Violation"):
		return fmt.Errorf("%w (check the user and password, token, --nats-creds or --nats-nkey)", err)
	case errors.Is(err, nats.ErrSecureConnRequired):
		return fmt.Errorf("%w (use a tls:// URL, or give --nats-ca FILE)", err)
	}
	return err
}

// redacted replaces a password or token in a URL.
const redacted = "xxxxx"

// Redact returns the URL, or comma-separated list of URLs, with every
// password replaced by xxxxx (user:xxxxx@host) and a token (token@host)
// by xxxxx, so that it can be printed. What cannot be parsed loses
// everything before its last @.
func Redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		parts[i] = redactOne(p)
	}
	return strings.Join(parts, ",")
}

func redactOne(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.User == nil {
		start := strings.Index(s, "://")
		if start < 0 || start > at {
			start = -3
		}
		return s[:start+3] + redacted + s[at:]
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		u.User = url.UserPassword(u.User.Username(), redacted)
	} else {
		u.User = url.User(redacted) // a token
	}
	return u.String()
}
