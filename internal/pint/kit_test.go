package pint

import (
	"encoding/xml"
	"strings"
	"testing"
)

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
