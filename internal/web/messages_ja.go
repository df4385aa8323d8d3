package web

// messagesJA is the Japanese catalogue, the default language. Every key must also be in
// messagesEN (a test checks both ways, and that every key the templates use exists).
func messagesJA() map[string]string {
	return map[string]string{
		"nav.skip": "本文へ移動", "nav.label": "メインメニュー", "nav.dashboard": "ホーム", "nav.documents": "書類",
		"nav.customers": "取引先", "nav.tokens": "APIトークン", "nav.settings": "設定", "nav.logout": "ログアウト",

		"action.back": "戻る", "action.save": "保存する", "action.search": "検索", "action.delete": "削除する",
		"action.edit": "編集", "action.issue": "発行する", "action.cancel_doc": "取消する", "action.duplicate": "複製して新規作成",
		"action.credit_note": "返還請求書を作成", "action.to_invoice": "請求書に変換", "action.download_pdf": "PDFをダウンロード",
		"action.delete_draft": "この下書きを削除",

		"form.invalid": "入力内容に誤りがあります。各項目のメッセージを確認してください。", "form.required": "必須",
		"notice.saved": "保存しました。", "notice.created": "作成しました。", "notice.issued": "発行しました。",
		"notice.cancelled": "取消しました。", "notice.deleted": "削除しました。", "notice.revoked": "トークンを無効にしました。",
		"notice.invited": "メンバーを招待しました。", "notice.role_changed": "権限を変更しました。", "notice.removed": "メンバーを削除しました。",
		"notice.images_saved": "画像を保存しました。",

		"error.title": "エラー", "error.home": "ホームへ戻る",
		"error.400": "リクエストを処理できませんでした。", "error.401": "ログインが必要です。",
		"error.403": "この操作を行う権限がありません。", "error.404": "ページまたはデータが見つかりません。",
		"error.409": "現在の状態ではこの操作はできません。", "error.412": "他の人が先に更新しました。再読み込みしてください。",
		"error.413": "送信データが大きすぎます。", "error.415": "この形式には対応していません。",
		"error.422": "入力内容に誤りがあります。", "error.500": "内部エラーが発生しました。時間をおいて再度お試しください。",
		"error.503": "混み合っています。しばらくしてから再度お試しください。",

		"kind.invoice": "請求書", "kind.quote": "見積書", "kind.delivery_note": "納品書", "kind.receipt": "領収書",
		"kind.credit_note": "適格返還請求書",
		"status.draft":     "下書き", "status.issued": "発行済み", "status.cancelled": "取消済み",
		"role.admin": "管理者", "role.member": "メンバー", "role.viewer": "閲覧者",
		"rounding.floor": "切り捨て", "rounding.half_up": "四捨五入", "rounding.ceil": "切り上げ", "rate.none": "非課税",

		"dashboard.title": "ホーム", "dashboard.this_month": "今月の請求額 (発行済み)", "dashboard.quick": "新規作成",
		"dashboard.chart": "過去12か月の請求額", "dashboard.chart_caption": "発行済み請求書の税込合計 (取引日の月ごと)",
		"dashboard.recent": "最近の書類", "dashboard.drafts": "未発行の下書き",

		"list.empty": "該当するものはありません。", "list.pages": "ページ", "list.prev": "前へ", "list.next": "次へ", "list.first": "最初へ",

		"customers.title": "取引先", "customers.search": "取引先を検索", "customer.new": "取引先を追加", "customer.edit": "取引先の編集",
		"customer.name": "名称", "customer.honorific": "敬称", "customer.no_honorific": "なし", "customer.postal_code": "郵便番号",
		"customer.address": "住所", "customer.contact_person": "担当者", "customer.email": "メールアドレス",
		"customer.in_use":    "この取引先は書類で使われているため削除できません。下の「この取引先の書類」から確認できます。",
		"customer.name_kana": "フリガナ", "customer.name_kana_example": "カブシキガイシャ ベータ",
		"customer.name_kana_help":      "一覧はフリガナ順に並びます。銀行の振込依頼人名との照合にも使います。",
		"customer.registration_number": "登録番号 (適格請求書発行事業者)",
		"customer.delete_help":         "発行済みの書類に使われている取引先は削除できません。", "customer.documents": "この取引先の書類",
		"registration.help":    "T + 13桁の数字。分からない場合は空欄で構いません。",
		"registration.warning": "登録番号のチェックディジットが一致しません。番号をもう一度確認してください (保存はされています)。",

		"documents.title": "書類", "documents.new": "書類を作成", "documents.csv": "検索結果をCSVで出力",
		"export.title": "書類の一括ダウンロード", "export.create": "この検索結果をZIPで一括ダウンロード",
		"export.help":          "検索結果のすべての書類をPDFにして、索引 (CSV) と一緒にZIPにまとめます。このページは自動で更新されます。",
		"export.status.queued": "待機中", "export.status.running": "作成中", "export.status.done": "完了", "export.status.failed": "失敗",
		"export.count": "%d / %d 件", "export.failed_docs": "%d 件はPDFを作成できませんでした (索引に記載しています)。",
		"export.error": "エクスポートに失敗しました:", "export.download": "ZIPをダウンロード",
		"export.expires": "ダウンロードは %s まで可能です。", "export.back": "書類の一覧に戻る",
		"search.label": "書類の検索 (電子帳簿保存法の検索要件)", "search.date_from": "取引日 (から)", "search.date_to": "取引日 (まで)",
		"search.total_min": "税込金額 (以上・円)", "search.total_max": "税込金額 (以下・円)", "search.any": "すべて",
		"search.q": "キーワード (番号・件名・取引先・品名)", "search.clear": "条件をクリア",

		"doc.ordered": "受注済み", "doc.source": "作成元の見積書", "doc.derived": "この見積書から作成した書類",
		"editor.related_help": "番号の一部を入力すると発行済みの請求書から選べます。",
		"doc.number":          "番号", "doc.kind": "種類", "doc.status": "状態", "doc.date": "取引日", "doc.customer": "取引先",
		"doc.subject": "件名", "doc.gross": "税込金額", "doc.draft_no": "(下書き)", "doc.issue_date": "発行日",
		"doc.transaction_date": "取引日", "doc.period": "取引期間", "doc.period_from": "取引期間 (開始)", "doc.period_to": "取引期間 (終了)",
		"doc.due_date": "お支払期限 (請求書)", "doc.valid_until": "有効期限 (見積書)", "doc.purpose": "但し書き (領収書)",
		"doc.related": "対象の請求書 (返還請求書)", "doc.notes": "備考", "doc.rounding": "消費税の端数処理",
		"doc.prices_include_tax": "単価は税込", "doc.withholding": "源泉徴収する (10.21%)", "doc.issued_at": "発行日時",

		"editor.new": "書類の作成", "editor.edit": "下書きの編集", "editor.choose_customer": "選択してください",
		"editor.tx_help": "取引日か取引期間のどちらかを入力します (見積書は不要)。", "editor.tax": "税の計算",
		"editor.lines": "明細", "editor.line_actions": "行の操作", "editor.add_line": "行を追加", "editor.save": "下書きを保存",
		"editor.reduced_legend": "※ は軽減税率 (8%) 対象", "editor.up_n": "%d行目を上へ", "editor.down_n": "%d行目を下へ",
		"editor.remove_n": "%d行目を削除",
		"editor.stale":    "この下書きは他の画面で更新されています。入力内容はそのままです。書類を開き直してから保存してください。",
		"item.name":       "品名", "item.quantity": "数量", "item.unit": "単位", "item.unit_price": "単価 (円)", "item.tax_rate": "税率",
		"item.amount": "金額", "item.name_n": "%d行目の品名", "item.quantity_n": "%d行目の数量", "item.unit_n": "%d行目の単位",
		"item.unit_price_n": "%d行目の単価", "item.tax_rate_n": "%d行目の税率",

		"totals.label": "合計", "totals.standard": "10%対象", "totals.reduced": "8%対象 ※", "totals.none": "非課税",
		"totals.net": "小計 (税抜)", "totals.tax": "消費税", "totals.gross": "合計 (税込)", "totals.withholding": "源泉徴収税",
		"totals.amount_due": "ご請求金額", "totals.incomplete": "明細を正しく入力すると合計が表示されます。",

		"document.title": "書類", "document.actions": "操作", "document.tabs": "表示の切替", "document.tab_content": "内容",
		"document.tab_history": "履歴", "document.preview": "PDFプレビュー",
		"history.at": "日時", "history.action": "操作", "history.actor": "実行者", "history.before": "変更前",
		"history.lines": "行", "history.create": "作成", "history.update": "更新", "history.issue": "発行",
		"history.cancel": "取消", "history.delete": "削除",

		"confirm.issue": "書類の発行", "confirm.cancel": "書類の取消",
		"confirm.issue_explain":   "この書類を発行します。発行すると:",
		"confirm.issue_number":    "番号が付き、発行者・取引先の情報がこの時点の内容で確定します。",
		"confirm.issue_immutable": "以後、内容を変更・削除することはできません (電子帳簿保存法)。",
		"confirm.issue_correct":   "誤りがあった場合は、取消または返還請求書で訂正します。",
		"confirm.issue_button":    "発行する", "confirm.cancel_button": "取消する",
		"confirm.cancel_explain":    "この書類を取消します。番号と内容は記録として残り、元に戻すことはできません。",
		"confirm.already_issued":    "この書類は既に発行されています (二重送信は無視されました)。",
		"confirm.already_cancelled": "この書類は既に取消されています。",

		"settings.title": "設定", "settings.org": "組織", "settings.profile": "発行者の情報", "settings.name": "組織名",
		"settings.phone": "電話番号", "settings.bank_account": "お振込先", "settings.numbering": "書類番号の接頭辞",
		"settings.default_rounding": "消費税の端数処理 (既定)", "settings.images": "ロゴと印影",
		"settings.images_help": "PNG・JPEG・GIF・WebP、1 枚 1MB・400 万画素 (2000×2000) まで。保存時に PDF 用の形式に変換し、メタデータ (位置情報など) は取り除きます。",
		"settings.logo":        "ロゴ", "settings.seal": "印影", "settings.remove": "削除する", "settings.upload": "画像を保存",
		"image.too_large": "画像は 1MB までです。", "image.format": "PNG・JPEG・GIF・WebP の画像を選んでください (HEIC・SVG・PDF は使えません)。",
		"image.dimensions": "画像は 400 万画素 (2000×2000 ピクセル) までです。縮小してから選んでください。", "image.unreadable": "画像を読み込めませんでした。",
		"image.none": "画像を選んでください。", "image.render": "この画像では PDF を作成できませんでした。別の画像を選んでください。",

		"members.title": "メンバー", "members.role": "権限", "members.actions": "操作", "members.change": "変更",
		"members.remove": "削除", "members.role_of": "%s の権限", "members.invite": "メンバーを招待",
		"members.invite_button": "招待する", "members.invited": "%s を招待しました。",
		"members.temp_password": "仮パスワード (この一度だけ表示されます。本人に安全な方法で伝えてください):",
		"members.bad_email":     "メールアドレスが正しくありません。", "members.bad_role": "権限を選んでください。",
		"members.already": "このメールアドレスは既にメンバーです。",

		"tokens.title": "APIトークン", "tokens.name": "名前", "tokens.created": "作成日時", "tokens.last_used": "最終利用",
		"tokens.revoke": "無効にする", "tokens.create": "トークンを作成", "tokens.create_button": "作成する",
		"tokens.shown_once": "このトークンは今だけ表示されます。安全な場所に保管してください:",
		"tokens.bad_name":   "名前を 100 文字以内で入力してください。", "tokens.bad_role": "自分の権限以下の権限を選んでください。",
	}
}
