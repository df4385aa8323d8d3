package pint

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kitDir is the JP PINT validation kit (the official rules, schema and examples): the directory
// REPORTAPP_PINT_KIT names, else ../shared/pint-jp beside the module root. The kit is test data
// of OpenPEPPOL and OASIS and is never copied into this repository. Without it the test skips,
// which REPORTAPP_TEST_STRICT=1 turns into a failure.
func kitDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("REPORTAPP_PINT_KIT")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "..", "shared", "pint-jp")
	}
	if _, err := os.Stat(filepath.Join(dir, "validate")); err != nil {
		skip(t, "JP PINT validation kit not found at "+dir+" (put it at ../shared/pint-jp beside the repository or set REPORTAPP_PINT_KIT)")
	}
	return dir
}

// validator returns the kit's validate script, skipping when Java, xmllint or Saxon is missing.
func validator(t *testing.T) string {
	t.Helper()
	dir := kitDir(t)
	for _, tool := range []string{"java", "xmllint", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip(t, tool+" not found (apt-get install -y libsaxonhe-java libxml2-utils default-jre-headless)")
		}
	}
	jar := os.Getenv("SAXON_JAR")
	if jar == "" {
		jar = "/usr/share/java/Saxon-HE.jar"
	}
	if _, err := os.Stat(jar); err != nil {
		skip(t, "Saxon-HE not found at "+jar+" (apt-get install -y libsaxonhe-java)")
	}
	return filepath.Join(dir, "validate")
}

func skip(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("REPORTAPP_TEST_STRICT") == "1" {
		t.Fatal(msg + " (REPORTAPP_TEST_STRICT=1)")
	}
	t.Skip(msg)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// node is a namespace-aware XML element tree, read independently of the Invoice structs, so the
// tests can check what those structs read against the file itself.
type node struct {
	space, local string
	attrs        map[string]string
	text         string
	kids         []*node
}

func parseTree(t *testing.T, data []byte) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(data)))
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			n := &node{space: x.Name.Space, local: x.Name.Local, attrs: map[string]string{}}
			for _, a := range x.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			stack[len(stack)-1].text += string(x)
		}
	}
	if len(root.kids) != 1 {
		t.Fatalf("no root element")
	}
	return root.kids[0]
}

// all returns the elements at path ("cac:TaxTotal/cbc:TaxAmount") below n.
func (n *node) all(path string) []*node {
	cur := []*node{n}
	for _, step := range strings.Split(path, "/") {
		prefix, local, _ := strings.Cut(step, ":")
		ns := map[string]string{"cac": nsCAC, "cbc": nsCBC}[prefix]
		var next []*node
		for _, c := range cur {
			for _, k := range c.kids {
				if k.space == ns && k.local == local {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// get is the trimmed text of the first element at path, or "".
func (n *node) get(path string) string {
	if all := n.all(path); len(all) > 0 {
		return strings.TrimSpace(all[0].text)
	}
	return ""
}

// attr is an attribute of the first element at path, or "".
func (n *node) attr(path, name string) string {
	if all := n.all(path); len(all) > 0 {
		return all[0].attrs[name]
	}
	return ""
}
