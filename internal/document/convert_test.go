package document

import "testing"

func TestSubjectWithoutQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ウェブサイト制作のお見積り", "ウェブサイト制作"},
		{"ウェブサイト制作のお見積もり", "ウェブサイト制作"},
		{"システム保守についてのお見積り", "システム保守"},
		{"ウェブサイト制作 御見積書", "ウェブサイト制作"},
		{"【御見積】保守契約", "保守契約"},
		{"お見積り：印刷一式", "印刷一式"},
		{"お見積り", ""},
		{"11月分 保守費用", "11月分 保守費用"}, // nothing to drop
		{"見積システムの導入", "見積システムの導入"}, // "見積" in the middle is the subject's own
	} {
		if got := SubjectWithoutQuote(tt.in); got != tt.want {
			t.Errorf("SubjectWithoutQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPurposeLine(t *testing.T) {
	for _, in := range []string{"お品代", "お品代として", "但し お品代として", " お品代 として "} {
		if got := PurposeLine(in); got != "但し お品代 として" {
			t.Errorf("PurposeLine(%q) = %q", in, got)
		}
	}
}
