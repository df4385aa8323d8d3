package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"reportapp/internal/bank"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

// BankStatement is an imported bank file with its deposits and what was proposed for each.
type BankStatement struct {
	ID        string     `json:"id"`
	Format    string     `json:"format"`
	Encoding  string     `json:"encoding"`
	Filename  string     `json:"filename"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	Lines     []BankLine `json:"lines"`
}

// BankLine is one deposit of a statement.
type BankLine struct {
	ID        string        `json:"id"`
	LineNo    int           `json:"line_no"`
	Date      document.Date `json:"date"`
	Amount    int64         `json:"amount"`
	PayerName string        `json:"payer_name"`
	Reference string        `json:"reference"`
	Status    string        `json:"status"` // matched, suggested, unmatched, duplicate
	Match     LineMatch     `json:"match"`
	AppliedAt *time.Time    `json:"applied_at"`
	// PaymentIDs are the payments recorded from this line (none until it is applied).
	PaymentIDs []string `json:"payment_ids"`
}

// LineMatch is the invoices a line is (proposed to be, or was) applied to, and the fee.
type LineMatch struct {
	DocumentIDs []string `json:"document_ids"`
	Fee         int64    `json:"fee"`
}

func errStatementNotFound() error {
	return domain.Errorf(domain.ENotFound, "入金明細が見つかりません (bank statement not found)")
}

// depositKeys are what make deposits the same deposit when a file (or an overlapping one) is
// imported again: date, amount, reference and payer, and which occurrence of these in the file.
func depositKeys(deps []bank.Deposit) []string {
	seen := map[string]int{}
	keys := make([]string, len(deps))
	for i, d := range deps {
		base := d.Date.String() + "|" + strconv.FormatInt(d.Amount, 10) + "|" + d.Reference + "|" + bank.NameKey(d.PayerName)
		seen[base]++
		sum := sha256.Sum256([]byte(base + "|" + strconv.Itoa(seen[base])))
		keys[i] = hex.EncodeToString(sum[:])
	}
	return keys
}

// ImportStatement stores a parsed bank file for the organisation and proposes a match for each
// deposit against the open invoices: a deposit imported before (by any statement) is a
// duplicate, claimed atomically so that two imports of one file at once cannot both count it.
func (db *DB) ImportStatement(ctx context.Context, orgID, actor, filename string, st bank.Statement) (BankStatement, error) {
	if !validID(orgID) {
		return BankStatement{}, errOrgNotFound()
	}
	id, err := newID()
	if err != nil {
		return BankStatement{}, err
	}
	keys := depositKeys(st.Deposits)
	err = db.inTx(ctx, func(q querier) error {
		fees, err := transferFees(ctx, q, orgID)
		if err != nil {
			return err
		}
		invs, err := openInvoices(ctx, q, orgID)
		if err != nil {
			return err
		}
		ps, err := payers(ctx, q, orgID)
		if err != nil {
			return err
		}
		m := receivables.NewMatcher(invs, ps, fees)
		if _, err := q.exec(ctx, `INSERT INTO bank_statements (id, org_id, format, encoding, filename, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, orgID, st.Format, st.Encoding, filename, timeArg(db.nowUTC()), actor); err != nil {
			return err
		}
		for i, d := range st.Deposits {
			lineID, err := newID()
			if err != nil {
				return err
			}
			res, err := q.exec(ctx, `INSERT INTO bank_deposits (org_id, deposit_key, line_id) VALUES (?, ?, ?)
				ON CONFLICT (org_id, deposit_key) DO NOTHING`, orgID, keys[i], lineID)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			match := receivables.Match{Status: receivables.LineDuplicate, DocumentIDs: []string{}}
			if n == 1 {
				match = m.Match(d)
			}
			ids, err := json.Marshal(match.DocumentIDs)
			if err != nil {
				return err
			}
			if _, err := q.exec(ctx, `INSERT INTO bank_statement_lines (id, org_id, statement_id, line_no, date, amount,
				payer_name, reference, deposit_key, status, match_ids, match_fee) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				lineID, orgID, id, d.LineNo, d.Date.String(), d.Amount, d.PayerName, d.Reference, keys[i],
				match.Status, string(ids), match.Fee); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return BankStatement{}, fmt.Errorf("store: import statement: %w", err)
	}
	return db.GetStatement(ctx, orgID, id)
}

// GetStatement returns a statement of the organisation with its lines in file order.
func (db *DB) GetStatement(ctx context.Context, orgID, id string) (BankStatement, error) {
	st, err := getStatement(ctx, db.q(), orgID, id)
	if err != nil {
		return BankStatement{}, fmt.Errorf("store: get statement %s: %w", id, err)
	}
	return st, nil
}

func getStatement(ctx context.Context, q querier, orgID, id string) (BankStatement, error) {
	if !validID(orgID) || !validID(id) {
		return BankStatement{}, errStatementNotFound()
	}
	st := BankStatement{ID: id, Lines: []BankLine{}}
	err := q.queryRow(ctx, `SELECT format, encoding, filename, created_at, created_by FROM bank_statements
		WHERE org_id = ? AND id = ?`, orgID, id).Scan(&st.Format, &st.Encoding, &st.Filename, scanTime(&st.CreatedAt), &st.CreatedBy)
	if notFound(err) {
		return BankStatement{}, errStatementNotFound()
	}
	if err != nil {
		return BankStatement{}, err
	}
	rows, err := q.query(ctx, `SELECT id, line_no, date, amount, payer_name, reference, status, match_ids, match_fee,
		applied_at FROM bank_statement_lines WHERE org_id = ? AND statement_id = ? ORDER BY line_no, id`, orgID, id)
	if err != nil {
		return BankStatement{}, err
	}
	byID := map[string]int{}
	for rows.Next() {
		var (
			l   BankLine
			ids string
		)
		if err := rows.Scan(&l.ID, &l.LineNo, docDate{&l.Date}, &l.Amount, &l.PayerName, &l.Reference, &l.Status,
			&ids, &l.Match.Fee, scanNullTime(&l.AppliedAt)); err != nil {
			rows.Close()
			return BankStatement{}, err
		}
		if err := json.Unmarshal([]byte(ids), &l.Match.DocumentIDs); err != nil {
			rows.Close()
			return BankStatement{}, fmt.Errorf("decode match of line %s: %w", l.ID, err)
		}
		l.PaymentIDs = []string{}
		byID[l.ID] = len(st.Lines)
		st.Lines = append(st.Lines, l)
	}
	if err := rows.Close(); err != nil {
		return BankStatement{}, err
	}
	rows, err = q.query(ctx, `SELECT p.statement_line_id, p.id FROM payments p JOIN bank_statement_lines l
		ON l.org_id = p.org_id AND l.id = p.statement_line_id
		WHERE p.org_id = ? AND l.statement_id = ? ORDER BY p.created_at, p.id`, orgID, id)
	if err != nil {
		return BankStatement{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var lineID, pid string
		if err := rows.Scan(&lineID, &pid); err != nil {
			return BankStatement{}, err
		}
		if i, ok := byID[lineID]; ok {
			st.Lines[i].PaymentIDs = append(st.Lines[i].PaymentIDs, pid)
		}
	}
	return st, rows.Err()
}

// ApplyMatch is a confirmed match of a statement line: the invoices (of one customer) its
// deposit pays, and the fee the payer deducted.
type ApplyMatch struct {
	LineID      string   `json:"line_id"`
	DocumentIDs []string `json:"document_ids"`
	Fee         int64    `json:"fee"`
}

// Results of applying a line.
const (
	ApplyRecorded       = "recorded"
	ApplyAlreadyApplied = "already_applied"
	ApplyDuplicate      = "duplicate"
	ApplyRejected       = "rejected"
)

// ApplyResult says what applying one line did.
type ApplyResult struct {
	LineID     string   `json:"line_id"`
	Result     string   `json:"result"` // recorded, already_applied, duplicate, rejected
	PaymentIDs []string `json:"payment_ids"`
	Message    string   `json:"message"`
}

// MaxApplyMatches bounds one apply request (a statement's lines are bounded likewise).
const MaxApplyMatches = bank.MaxLines

// ApplyStatement records the payments of confirmed matches, each line in its own transaction:
// the deposit is split over the line's invoices by their balances, oldest due first, the fee
// going with the last; the payer's spelling is learned for the invoices' customer. A line applied
// before, or a duplicate, records nothing and says so; a line whose invoices cannot take the
// deposit (not open, different customers, more than the balances) is rejected with the reason.
// Lines or invoices not in the organisation's statement are EInvalid, before anything is recorded.
func (db *DB) ApplyStatement(ctx context.Context, orgID, actor, id string, matches []ApplyMatch) (BankStatement, []ApplyResult, error) {
	st, err := db.GetStatement(ctx, orgID, id)
	if err != nil {
		return BankStatement{}, nil, err
	}
	if len(matches) > MaxApplyMatches {
		return BankStatement{}, nil, &domain.Error{Code: domain.EInvalid, Message: "照合が多すぎます (too many matches)",
			Fields: map[string]string{"matches": "too many"}}
	}
	lines := map[string]BankLine{}
	for _, l := range st.Lines {
		lines[l.ID] = l
	}
	fe := domain.FieldErrors{}
	seen := map[string]bool{}
	for i, m := range matches {
		path := fmt.Sprintf("matches[%d]", i)
		switch {
		case lines[m.LineID].ID == "":
			fe.Add(path+".line_id", "この明細にない行です (no such line in this statement)")
		case seen[m.LineID]:
			fe.Add(path+".line_id", "同じ行が二度あります (line given twice)")
		case len(m.DocumentIDs) == 0 || len(m.DocumentIDs) > 100:
			fe.Add(path+".document_ids", "請求書を 1〜100 件指定してください (give 1 to 100 invoices)")
		case m.Fee < 0 || m.Fee > receivables.MaxAmount:
			fe.Add(path+".fee", "手数料は 0 円以上です (fee must not be negative)")
		}
		seen[m.LineID] = true
	}
	if err := fe.Err(); err != nil {
		return BankStatement{}, nil, err
	}
	results := make([]ApplyResult, 0, len(matches))
	for _, m := range matches {
		r, err := db.applyLine(ctx, orgID, actor, lines[m.LineID], m)
		if err != nil {
			return BankStatement{}, nil, fmt.Errorf("store: apply line %s: %w", m.LineID, err)
		}
		results = append(results, r)
	}
	st, err = db.GetStatement(ctx, orgID, id)
	return st, results, err
}

// errRejected carries why a line was rejected out of its transaction.
type errRejected struct{ msg string }

func (e errRejected) Error() string { return e.msg }

func (db *DB) applyLine(ctx context.Context, orgID, actor string, line BankLine, m ApplyMatch) (ApplyResult, error) {
	res := ApplyResult{LineID: line.ID, PaymentIDs: []string{}}
	ids, err := json.Marshal(m.DocumentIDs)
	if err != nil {
		return res, err
	}
	err = db.inTx(ctx, func(q querier) error {
		// Claiming the line first serialises two applies of it: the second finds it applied.
		r, err := q.exec(ctx, `UPDATE bank_statement_lines SET applied_at = ?, applied_by = ?, match_ids = ?, match_fee = ?
			WHERE org_id = ? AND id = ? AND applied_at IS NULL AND status <> ?`,
			timeArg(db.nowUTC()), actor, string(ids), m.Fee, orgID, line.ID, receivables.LineDuplicate)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var status string
			if err := q.queryRow(ctx, `SELECT status FROM bank_statement_lines WHERE org_id = ? AND id = ?`,
				orgID, line.ID).Scan(&status); err != nil {
				return err
			}
			if status == receivables.LineDuplicate {
				res.Result, res.Message = ApplyDuplicate, "この入金は以前に取り込まれています。何も記録していません (this deposit was imported before; nothing recorded)"
			} else {
				res.Result, res.Message = ApplyAlreadyApplied, "この行は消込済みです。何も記録していません (this line was applied already; nothing recorded)"
			}
			return nil
		}
		// Lock the invoices in id order (no deadlock between two lines), then split oldest due first.
		sorted := append([]string(nil), m.DocumentIDs...)
		sort.Strings(sorted)
		docs := map[string]document.Document{}
		var invs []receivables.OpenInvoice
		customer := ""
		for _, docID := range sorted {
			if _, dup := docs[docID]; dup {
				return errRejected{"同じ請求書が二度あります (the same invoice twice)"}
			}
			d, err := db.lockedInvoice(ctx, q, orgID, docID)
			if domain.ErrorCode(err) == domain.ENotFound || domain.ErrorCode(err) == domain.EConflict {
				return errRejected{fmt.Sprintf("請求書 %s には入金を記録できません (invoice %s cannot take a payment): %v", docID, docID, err)}
			}
			if err != nil {
				return err
			}
			if customer != "" && d.CustomerID != customer {
				return errRejected{"一つの入金は一つの顧客の請求書にだけ割り当てられます (one deposit pays invoices of one customer)"}
			}
			customer = d.CustomerID
			if *d.Balance <= 0 {
				return errRejected{fmt.Sprintf("請求書 %s は入金済みです (invoice %s is paid)", *d.Number, *d.Number)}
			}
			docs[docID] = d
			invs = append(invs, receivables.OpenInvoice{ID: d.ID, CustomerID: d.CustomerID, Number: *d.Number,
				IssueDate: d.IssueDate, DueDate: d.DueDate, Balance: *d.Balance})
		}
		receivables.SortOldestDue(invs)
		allocs, ok := receivables.Split(line.Amount, m.Fee, invs)
		if !ok {
			return errRejected{fmt.Sprintf("入金 %d 円と手数料 %d 円が請求書の残高を超えます (deposit plus fee exceeds the balances)", line.Amount, m.Fee)}
		}
		note := strings.TrimSpace("入金消込 " + line.PayerName + " " + line.Reference)
		for _, a := range allocs {
			p, err := db.insertPayment(ctx, q, orgID, actor, docs[a.DocumentID], receivables.Payment{
				Date: line.Date, Amount: a.Amount, Fee: a.Fee, Method: receivables.MethodBankTransfer, Note: note,
				StatementLineID: &line.ID})
			if err != nil {
				return err
			}
			res.PaymentIDs = append(res.PaymentIDs, p.ID)
		}
		if key := bank.NameKey(line.PayerName); key != "" {
			if _, err := q.exec(ctx, `INSERT INTO customer_payer_names (org_id, customer_id, name_key, spelling, created_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id, customer_id, name_key) DO NOTHING`,
				orgID, customer, key, line.PayerName, timeArg(db.nowUTC())); err != nil {
				return err
			}
		}
		res.Result = ApplyRecorded
		res.Message = fmt.Sprintf("%d 件の入金を記録しました (%d payments recorded)", len(res.PaymentIDs), len(res.PaymentIDs))
		return nil
	})
	if rej, ok := err.(errRejected); ok {
		return ApplyResult{LineID: line.ID, Result: ApplyRejected, PaymentIDs: []string{}, Message: rej.msg}, nil
	}
	if err != nil {
		return res, err
	}
	return res, nil
}
