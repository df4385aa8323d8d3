package pint

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// FallbackUnitCode is the unit code of a line whose unit is empty or not in unitCodes: H87,
// "piece", as the specification's examples do for units such as 脚 and 冊. The unit as typed is
// kept beside it as the item attribute 表示単位名称, so nothing the user wrote is lost.
const FallbackUnitCode = "H87"

// unitCodes maps the units people type on Japanese documents (after NFKC and lower-casing, so
// ｋｇ and KG are kg) to UN/ECE Recommendation 20 codes (with the Rec 21 "X" extension), each of
// which is in the code list that ibr-cl-23 checks.
var unitCodes = map[string]string{
	"個": "H87", "こ": "H87", "ヶ": "H87", "コ": "H87", "台": "H87", "本": "H87", "点": "H87", "脚": "H87",
	"冊": "H87", "部": "H87", "pcs": "H87", "pc": "H87",
	"件": "C62", "回": "C62", "名": "IE", "人": "IE", "名様": "IE",
	"式": "LS", "一式": "LS",
	"時間": "HUR", "h": "HUR", "hr": "HUR", "分": "MIN", "秒": "SEC",
	"日": "DAY", "日間": "DAY", "週": "WEE", "週間": "WEE",
	"月": "MON", "ヶ月": "MON", "ケ月": "MON", "か月": "MON", "カ月": "MON", "ヵ月": "MON", "箇月": "MON",
	"年": "ANN", "年間": "ANN",
	"枚": "XST", "箱": "XBX", "ケース": "XCS", "袋": "XBG", "缶": "XCA", "パック": "XPK", "瓶": "XBO",
	"セット": "SET", "組": "SET", "set": "SET", "足": "PR", "双": "PR", "ダース": "DZN",
	"kg": "KGM", "キロ": "KGM", "g": "GRM", "グラム": "GRM", "t": "TNE", "トン": "TNE",
	"m": "MTR", "メートル": "MTR", "cm": "CMT", "mm": "MMT", "km": "KMT",
	"m2": "MTK", "m²": "MTK", "平米": "MTK", "m3": "MTQ", "m³": "MTQ", "立米": "MTQ",
	"l": "LTR", "リットル": "LTR", "ml": "MLT", "kwh": "KWH",
}

// UnitCode is the UN/ECE Recommendation 20 code of a unit as typed (IBT-130), or
// FallbackUnitCode.
func UnitCode(unit string) string {
	u := strings.ToLower(strings.TrimSpace(norm.NFKC.String(unit)))
	if c, ok := unitCodes[u]; ok {
		return c
	}
	return FallbackUnitCode
}
