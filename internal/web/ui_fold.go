package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// parseFolded parses the templates of fsys matching pattern into t, as t.ParseFS does, after
// writing each constant translation {{t "key"}} that stands in HTML text as its escaped text
// (foldTranslations): html/template calls t and then its escaper by reflection on every
// execution, and a page has dozens of such labels, headings and buttons.
func parseFolded(t *template.Template, fsys fs.FS, pattern string, cat map[string]string) (*template.Template, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	srcs := make([]string, len(names))
	for i, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		srcs[i] = string(b)
	}
	unsafe := calledOutsideText(names, srcs)
	for i, name := range names {
		if _, err := t.New(path.Base(name)).Parse(foldTranslations(path.Base(name), srcs[i], cat, unsafe)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return t, nil
}

// translationAction is a whole action {{t "key"}} without trim markers.
var translationAction = regexp.MustCompile(`^\{\{t "([a-z0-9_.]+)"\}\}$`)

// foldTranslations returns src, the template file named file, with each {{t "key"}} of the
// catalogue that stands in HTML text written as the translation escaped as html/template
// escapes HTML text (htmlText), so that the output is byte for byte the same. Any other place is
// left to the template: inside a tag (attribute values have escapers of their own), in the raw
// text of script, style, textarea and title, and in the templates named in unsafe (called from
// such a place, so their text is not HTML text).
func foldTranslations(file, src string, cat map[string]string, unsafe map[string]bool) string {
	var b strings.Builder
	scanTemplate(file, src, func(s *templateScan, action string) bool {
		m := translationAction.FindStringSubmatch(action)
		if m == nil || !s.inText() || unsafe[s.current()] {
			return false
		}
		text, ok := cat[m[1]]
		if !ok || strings.Contains(text, "{{") {
			return false
		}
		_, _ = htmlText.WriteString(&b, text)
		return true
	}, &b)
	return b.String()
}

// calledOutsideText returns the names of the templates that a {{template}} action calls from a
// place that is not HTML text (inside a tag, or raw text), and those they call in turn.
func calledOutsideText(files, srcs []string) map[string]bool {
	type call struct {
		from, to string
		text     bool
	}
	var calls []call
	for i, src := range srcs {
		scanTemplate(path.Base(files[i]), src, func(s *templateScan, action string) bool {
			if name, ok := templateCall(action); ok {
				calls = append(calls, call{from: s.current(), to: name, text: s.inText()})
			}
			return false
		}, nil)
	}
	unsafe := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, c := range calls {
			if (!c.text || unsafe[c.from]) && !unsafe[c.to] {
				unsafe[c.to], changed = true, true
			}
		}
	}
	return unsafe
}

// templateCall returns the name a {{template "name" …}} action calls.
func templateCall(action string) (string, bool) {
	inner := actionWords(action)
	if !strings.HasPrefix(inner, "template ") && !strings.HasPrefix(inner, "block ") {
		return "", false
	}
	return quotedName(inner)
}

// actionWords is an action without its delimiters, trim markers and surrounding space.
func actionWords(action string) string {
	inner := strings.TrimSuffix(strings.TrimPrefix(action, "{{"), "}}")
	inner = strings.TrimPrefix(inner, "- ")
	inner = strings.TrimSuffix(inner, " -")
	return strings.TrimSpace(inner)
}

// quotedName is the first "quoted" string of an action's words.
func quotedName(inner string) (string, bool) {
	_, rest, ok := strings.Cut(inner, `"`)
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, `"`)
	return name, ok
}

// templateScan is where a scan of a template file stands: in which template (define) and in
// which HTML state.
type templateScan struct {
	defines []string // the enclosing {{define}}s and blocks, "" for if, range and with
	states  []htmlState
	state   htmlState
	file    string
}

// htmlState is the little of the HTML grammar the scan follows.
type htmlState struct {
	inTag   bool
	quote   byte   // the quote of the attribute value the scan is in, inside a tag
	tag     string // the tag's name, lower case, "/name" for a closing tag
	rawText string // the element of raw text the scan is in (script, style, textarea, title)
}

// inText reports whether the scan is in HTML text.
func (s *templateScan) inText() bool { return !s.state.inTag && s.state.rawText == "" }

// current is the name of the template the scan is in.
func (s *templateScan) current() string {
	for i := len(s.defines) - 1; i >= 0; i-- {
		if s.defines[i] != "" {
			return s.defines[i]
		}
	}
	return s.file
}

// scanTemplate walks src, the template file named file, copying it to out (when not nil), and
// calls action for every action; when action reports true it has written the action's
// replacement itself.
func scanTemplate(file, src string, action func(s *templateScan, action string) bool, out *strings.Builder) {
	s := &templateScan{file: file}
	write := func(text string) {
		if out != nil {
			out.WriteString(text)
		}
	}
	for i := 0; i < len(src); {
		if strings.HasPrefix(src[i:], "{{") {
			end := strings.Index(src[i:], "}}")
			if end < 0 {
				write(src[i:])
				break
			}
			a := src[i : i+end+2]
			i += len(a)
			inner := actionWords(a)
			word, _, _ := strings.Cut(inner, " ")
			switch word {
			case "define", "block":
				name, _ := quotedName(inner)
				if word == "block" { // a block is called where it stands
					action(s, a)
				}
				s.defines, s.states, s.state = append(s.defines, name), append(s.states, s.state), htmlState{}
				write(a)
				continue
			case "if", "range", "with":
				s.defines, s.states = append(s.defines, ""), append(s.states, s.state)
			case "else": // each branch starts where the if, range or with stood
				if n := len(s.defines); n > 0 && s.defines[n-1] == "" {
					s.state = s.states[n-1]
				}
			case "end":
				if n := len(s.defines); n > 0 {
					if s.defines[n-1] != "" { // the end of a define: back to where it stood
						s.state = s.states[n-1]
					}
					s.defines, s.states = s.defines[:n-1], s.states[:n-1]
				}
			}
			if !action(s, a) {
				write(a)
			}
			continue
		}
		c := src[i]
		st := &s.state
		switch {
		case st.inTag && st.quote != 0:
			if c == st.quote {
				st.quote = 0
			}
		case st.inTag && (c == '"' || c == '\''):
			st.quote = c
		case st.inTag && c == '>':
			st.inTag = false
			switch st.tag {
			case "script", "style", "textarea", "title":
				st.rawText = st.tag
			}
		case st.rawText != "":
			if c == '<' && strings.HasPrefix(strings.ToLower(src[i:]), "</"+st.rawText) {
				st.rawText, st.inTag, st.tag = "", true, "/"
			}
		case c == '<' && i+1 < len(src) && (isLetter(src[i+1]) || src[i+1] == '/' || src[i+1] == '!'):
			j := i + 1
			for j < len(src) && (isLetter(src[j]) || src[j] == '/' || src[j] == '!' || (j > i+1 && src[j] >= '0' && src[j] <= '9')) {
				j++
			}
			st.inTag, st.tag = true, strings.ToLower(src[i+1:j])
		}
		write(src[i : i+1])
		i++
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
