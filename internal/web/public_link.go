package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// The public page of a delivery's link, /d/{token}: no login; the token (32 random bytes, kept
// only as its hash) is the key. It shows the document's summary in the issuer's look with its
// PDF; every view and download is logged. A link with an access code asks for it first, with
// attempts throttled per link and per address in the database (the login throttle), and
// remembers a right code in a cookie for that link's path only.

// Throttle of access codes: 5 wrong codes for a link lock it for 15 minutes (doubling after),
// 30 from one address lock the address.
var (
	codeLinkBlock = func(n int) time.Duration {
		if n < 5 {
			return 0
		}
		return 15 * time.Minute << min(n-5, 6)
	}
	codeIPBlock = func(n int) time.Duration {
		if n < 30 {
			return 0
		}
		return time.Hour
	}
	codeWindow = 24 * time.Hour
)

// publicDocumentData is the public page's data.
type publicDocumentData struct {
	Token     string
	Doc       document.Document
	Org       document.Organization
	LogoURL   string // a data: URL, or ""
	NeedsCode bool
	CodeError string // a catalogue key
	Gone      string // a catalogue key when the link no longer works
	Expires   time.Time
}

// publicLink resolves the token of r: the link, or an error page (404 unknown; 410 expired or
// revoked, said plainly).
func (u *ui) publicLink(w http.ResponseWriter, r *http.Request) (store.Link, bool, error) {
	token := r.PathValue("token")
	setLinkHeaders(w)
	if len(token) < 40 || len(token) > 64 {
		return store.Link{}, false, domain.Errorf(domain.ENotFound, "このリンクは存在しません (no such link)")
	}
	l, err := u.Store.LinkByToken(r.Context(), token)
	if err != nil {
		return store.Link{}, false, err
	}
	if !l.Usable(u.Now()) {
		key := "link.expired"
		if l.RevokedAt != nil {
			key = "link.revoked"
		}
		return l, false, u.render(w, r, http.StatusGone, "public_document.html", view{Title: "link.title",
			Data: publicDocumentData{Gone: key}})
	}
	return l, true, nil
}

// setLinkHeaders keeps the token out of other sites' logs and out of search engines.
func setLinkHeaders(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}

// codeCookie is the cookie that remembers a right access code for the link: an HMAC under
// SECRET_KEY of the link and its code's hash, so it works for nothing else.
func (u *ui) codeCookie(l store.Link) string {
	m := hmac.New(sha256.New, []byte(u.Config.SecretKey))
	m.Write([]byte("link-code:" + l.ID + ":" + l.AccessCodeHash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (u *ui) codeAccepted(r *http.Request, l store.Link) bool {
	if l.AccessCodeHash == "" {
		return true
	}
	c, err := r.Cookie("link_code")
	return err == nil && hmac.Equal([]byte(c.Value), []byte(u.codeCookie(l)))
}

// publicDocument shows the document of a link: GET /d/{token}.
func (u *ui) publicDocument(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	l, ok, err := u.publicLink(w, r)
	if !ok {
		return err
	}
	if !u.codeAccepted(r, l) {
		return u.render(w, r, http.StatusOK, "public_document.html", view{Title: "link.title",
			Data: publicDocumentData{Token: r.PathValue("token"), NeedsCode: true}})
	}
	return u.showPublicDocument(w, r, l)
}

func (u *ui) showPublicDocument(w http.ResponseWriter, r *http.Request, l store.Link) error {
	doc, err := u.Store.GetDocument(r.Context(), l.OrgID, l.DocumentID)
	if err != nil {
		return err
	}
	org, err := u.Store.GetOrganization(r.Context(), l.OrgID)
	if err != nil {
		return err
	}
	if err := u.Store.RecordLinkAccess(r.Context(), l, store.AccessView, server.ClientIP(r), r.UserAgent()); err != nil {
		return err
	}
	data := publicDocumentData{Token: r.PathValue("token"), Doc: doc, Org: org, Expires: l.ExpiresAt}
	if len(org.Logo) > 0 {
		data.LogoURL = "data:image/png;base64," + base64.StdEncoding.EncodeToString(org.Logo)
	}
	return u.render(w, r, http.StatusOK, "public_document.html", view{Title: "link.title", Data: data})
}

// publicCode checks an access code: POST /d/{token}.
func (u *ui) publicCode(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	l, ok, err := u.publicLink(w, r)
	if !ok {
		return err
	}
	token := r.PathValue("token")
	if l.AccessCodeHash == "" || u.codeAccepted(r, l) {
		return seeOther(w, r, "/d/"+url.PathEscape(token))
	}
	linkRule := store.ThrottleRule{Key: "link-code:" + l.ID, Block: codeLinkBlock}
	ipRule := store.ThrottleRule{Key: "link-code-ip:" + server.ClientIP(r), Block: codeIPBlock}
	wait, err := u.Store.ReserveAuthAttempt(r.Context(), codeWindow, linkRule, ipRule)
	if err != nil {
		return err
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		return u.render(w, r, http.StatusTooManyRequests, "public_document.html", view{Title: "link.title",
			Data: publicDocumentData{Token: token, NeedsCode: true, CodeError: "link.code_locked"}})
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if !u.accessCodeMatches(code, l.AccessCodeHash) {
		return u.render(w, r, http.StatusUnprocessableEntity, "public_document.html", view{Title: "link.title",
			Data: publicDocumentData{Token: token, NeedsCode: true, CodeError: "link.code_wrong"}})
	}
	if err := u.Store.ClearAuthAttempts(r.Context(), linkRule.Key); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "link_code", Value: u.codeCookie(l), Path: "/d/" + token,
		HttpOnly: true, Secure: strings.HasPrefix(u.Config.BaseURL, "https://"), SameSite: http.SameSiteStrictMode,
		Expires: l.ExpiresAt})
	return seeOther(w, r, "/d/"+url.PathEscape(token))
}

// publicPDF downloads the document of a link: GET /d/{token}/pdf, the stored PDF (the same bytes
// as the attachment and the signed-in download).
func (u *ui) publicPDF(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	l, ok, err := u.publicLink(w, r)
	if !ok {
		return err
	}
	if !u.codeAccepted(r, l) {
		return seeOther(w, r, "/d/"+url.PathEscape(r.PathValue("token")))
	}
	doc, err := u.Store.GetDocument(r.Context(), l.OrgID, l.DocumentID)
	if err != nil {
		return err
	}
	data, err := jobs.DeliveryPDF(r.Context(), u.Store, l.OrgID, "link:"+l.ID, doc)
	if err != nil {
		return err
	}
	if err := u.Store.RecordLinkAccess(r.Context(), l, store.AccessDownload, server.ClientIP(r), r.UserAgent()); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	q := r.URL.Query()
	q.Set("download", "1")
	r.URL.RawQuery = q.Encode()
	writePDF(w, r, doc, data)
	return nil
}
