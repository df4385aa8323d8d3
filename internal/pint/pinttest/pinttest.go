// Package pinttest finds and runs the official JP PINT validation kit for tests.
//
// The kit (OpenPEPPOL's PINT and Japanese Schematron rules compiled to XSLT, the OASIS UBL 2.1
// schema, the nine official examples and a validate script) is test data owned by others and is
// never copied into this repository: tests look for it at ../shared/pint-jp beside the module
// root, or where REPORTAPP_PINT_KIT says. Without it, or without Java, xmllint or Saxon-HE, a
// test skips with the reason; REPORTAPP_TEST_STRICT=1 makes that a failure.
package pinttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Dir is the kit's directory, or the test is skipped.
func Dir(t testing.TB) string {
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
		msg := "JP PINT validation kit not found at " + dir + " (put it at ../shared/pint-jp beside the repository or set REPORTAPP_PINT_KIT)"
		if os.Getenv("REPORTAPP_PINT_KIT_OPTIONAL") == "1" {
			t.Skip(msg + "; REPORTAPP_PINT_KIT_OPTIONAL=1 (.ci/run found no kit beside the checkout)")
		}
		skip(t, msg)
	}
	return dir
}

// Validate runs the kit's validate script once over files and fails the test unless every file
// passes with no fatal finding. It returns the validator's output, with dir removed from the
// file names.
func Validate(t testing.TB, dir string, files ...string) string {
	t.Helper()
	script := filepath.Join(Dir(t), "validate")
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
	out, err := exec.Command(script, files...).CombinedOutput()
	text := strings.ReplaceAll(string(out), dir+string(filepath.Separator), "")
	if err != nil {
		t.Fatalf("validator: %v\n%s", err, text)
	}
	ok := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "ok ") {
			ok++
		}
	}
	if ok != len(files) || strings.Contains(text, "FAIL") || strings.Contains(text, " fatal") {
		t.Fatalf("%d of %d files passed:\n%s", ok, len(files), text)
	}
	return text
}

func skip(t testing.TB, msg string) {
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
