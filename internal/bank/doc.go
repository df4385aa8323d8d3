// Package bank reads the files Japanese banks give their customers about incoming money — the
// 全銀協 fixed-length 振込入金通知 (種別コード 01) and 入出金取引明細 (種別コード 03), and the CSV
// exports of net banking — and normalises payers' names so that a bank's half-width katakana
// spelling ("ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ") can be compared with the name an office keeps ("ヤマダショウジ株式会社").
//
// Parsing is pure: bytes in, deposits out, with every problem reported as an *Error naming the
// line. Nothing here knows about invoices or the database.
package bank
