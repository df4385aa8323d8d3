package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"reportapp/internal/bank"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// paymentInput is the JSON body of POST /api/v1/documents/{id}/payments.
type paymentInput struct {
	Date   json.RawMessage `json:"date"`
	Amount json.RawMessage `json:"amount"`
	Fee    json.RawMessage `json:"fee"`
	Method json.RawMessage `json:"method"`
	Note   json.RawMessage `json:"note"`
}

// decodePayment reads a payment strictly: unknown fields are 400, values of the wrong type 422
// on their field. The method defaults to bank_transfer and the fee to 0.
func decodePayment(data []byte) (receivables.Payment, error) {
	var in paymentInput
	if err := document.DecodeObject(data, &in); err != nil {
		return receivables.Payment{}, err
	}
	f := document.NewFields()
	p := receivables.Payment{Method: receivables.MethodBankTransfer, Date: f.Date("date", in.Date), Note: f.String("note", in.Note)}
	p.Amount, _ = f.Integer("amount", in.Amount)
	p.Fee, _ = f.Integer("fee", in.Fee)
	if m := f.String("method", in.Method); m != "" {
		p.Method = m
	}
	return p, f.Err()
}

func (a *app) paymentCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	pay, err := decodePayment(data)
	if err != nil {
		return err
	}
	if pay.Date.IsZero() {
		pay.Date = a.today()
	}
	pay, err = a.Store.RecordPayment(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"), pay)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/documents/"+pay.DocumentID+"/payments")
	writeJSON(w, http.StatusCreated, pay)
	return nil
}

func (a *app) paymentList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	ps, err := a.Store.ListPayments(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listResponse[receivables.Payment]{Items: ps})
	return nil
}

func (a *app) paymentVoid(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason json.RawMessage `json:"reason"`
	}
	if err := document.DecodeObject(data, &in); err != nil {
		return err
	}
	f := document.NewFields()
	reason := f.String("reason", in.Reason)
	if err := f.Err(); err != nil {
		return err
	}
	pay, err := a.Store.VoidPayment(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"), reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pay)
	return nil
}

func (a *app) receivablesGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	asOf := a.today()
	if v := r.URL.Query().Get("as_of"); v != "" {
		d, err := document.ParseDate(v)
		if err != nil {
			return invalid("as_of", "日付は YYYY-MM-DD です (as_of must be YYYY-MM-DD)")
		}
		asOf = d
	}
	aging, err := a.Store.Receivables(r.Context(), p.OrgID, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, aging)
	return nil
}

// readBankFile reads the multipart field "file" (at most bank.MaxFileSize bytes) and the optional
// fields "format" and "columns" of a bank statement upload.
func readBankFile(r *http.Request) (data []byte, filename string, opts bank.Options, err error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, "", opts, &domain.Error{Code: domain.EUnsupportedMedia, Message: "multipart/form-data で file を送ってください (send the file as multipart/form-data field \"file\")"}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", opts, domain.Errorf(domain.EBadRequest, "multipart を読めません (bad multipart body): %v", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if server.IsBodyTooLarge(err) {
				return nil, "", opts, err
			}
			return nil, "", opts, domain.Errorf(domain.EBadRequest, "multipart を読めません (bad multipart body): %v", err)
		}
		limit := int64(bank.MaxFileSize)
		if part.FormName() != "file" {
			limit = 200
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			if server.IsBodyTooLarge(err) {
				return nil, "", opts, err
			}
			return nil, "", opts, domain.Errorf(domain.EBadRequest, "multipart を読めません (bad multipart body): %v", err)
		}
		if int64(len(b)) > limit {
			if part.FormName() == "file" {
				return nil, "", opts, &domain.Error{Code: domain.EBodyTooLarge, Message: "ファイルが大きすぎます (file larger than 10 MiB)"}
			}
			return nil, "", opts, invalid(part.FormName(), "長すぎます (too long)")
		}
		switch part.FormName() {
		case "file":
			data, filename = b, filepath.Base(part.FileName())
		case "format":
			opts.Format = strings.TrimSpace(string(b))
		case "columns":
			opts.Columns = strings.TrimSpace(string(b))
		}
	}
	if q := r.URL.Query(); opts.Format == "" && q.Get("format") != "" {
		opts.Format = q.Get("format")
	}
	if q := r.URL.Query(); opts.Columns == "" && q.Get("columns") != "" {
		opts.Columns = q.Get("columns")
	}
	switch opts.Format {
	case "", bank.FormatZengin, bank.FormatCSV:
	default:
		return nil, "", opts, invalid("format", "zengin か csv です (format must be zengin or csv)")
	}
	if data == nil {
		return nil, "", opts, invalid("file", "ファイルを選んでください (file is required)")
	}
	if len(filename) > 200 || filename == "." {
		filename = ""
	}
	return data, filename, opts, nil
}

// importStatement parses an uploaded bank file and imports it; a file the parser cannot read is
// EInvalid on "file" with the parser's message (the line and what is wrong).
func (a *app) importStatement(r *http.Request, p domain.Principal) (store.BankStatement, error) {
	data, filename, opts, err := readBankFile(r)
	if err != nil {
		return store.BankStatement{}, err
	}
	opts.Today = a.today()
	st, err := bank.Parse(data, opts)
	if err != nil {
		var be *bank.Error
		if errors.As(err, &be) {
			return store.BankStatement{}, &domain.Error{Code: domain.EInvalid, Message: be.Error(), Fields: map[string]string{"file": be.Error()}}
		}
		return store.BankStatement{}, err
	}
	return a.Store.ImportStatement(r.Context(), p.OrgID, p.Actor(), filename, st)
}

func (a *app) statementCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	st, err := a.importStatement(r, p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/bank-statements/"+st.ID)
	writeJSON(w, http.StatusCreated, st)
	return nil
}

func (a *app) statementGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	st, err := a.Store.GetStatement(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// appliedStatement is the answer of apply: the statement, and what each match did.
type appliedStatement struct {
	store.BankStatement
	Results []store.ApplyResult `json:"results"`
}

func (a *app) statementApply(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	var in struct {
		Matches json.RawMessage `json:"matches"`
	}
	if err := document.DecodeObject(data, &in); err != nil {
		return err
	}
	var matches []store.ApplyMatch
	if len(in.Matches) == 0 || string(in.Matches) == "null" {
		return invalid("matches", "必須です (required)")
	}
	if err := json.Unmarshal(in.Matches, &matches); err != nil {
		return invalid("matches", "[{\"line_id\", \"document_ids\", \"fee\"}] の配列です (must be an array of matches)")
	}
	st, results, err := a.Store.ApplyStatement(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"), matches)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, appliedStatement{BankStatement: st, Results: results})
	return nil
}
