package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDockerfile checks the image as the Dockerfile builds it: multi-stage, a static binary
// built as .ci/run builds it, distroless and non-root, the health check through the binary.
func TestDockerfile(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var from, instr []string
	sc := bufio.NewScanner(f)
	var cont string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cont += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line, cont = cont+line, ""
		instr = append(instr, line)
		if strings.HasPrefix(line, "FROM ") {
			from = append(from, line)
		}
	}
	if len(from) != 2 || !strings.HasPrefix(from[0], "FROM golang:1.26-bookworm AS ") || from[1] != "FROM gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("stages = %q, want golang:1.26-bookworm then distroless static nonroot", from)
	}
	want := map[string]bool{
		`CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}"`: false,
		"--mount=type=cache,target=/go/pkg/mod":                                        false,
		"--mount=type=cache,target=/root/.cache/go-build":                              false,
		"USER nonroot:nonroot":                                                         false,
		"EXPOSE 5000":                                                                  false,
		`CMD ["/reportapp", "healthcheck"]`:                                            false,
		`ENTRYPOINT ["/reportapp"]`:                                                    false,
		`CMD ["serve"]`:                                                                false,
	}
	for _, line := range instr {
		for w := range want {
			if strings.Contains(line, w) {
				want[w] = true
			}
		}
	}
	for w, ok := range want {
		if !ok {
			t.Errorf("Dockerfile lacks %s", w)
		}
	}
	ci, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), `CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=ci"`) {
		t.Errorf(".ci/run does not build the binary as the Dockerfile does")
	}
}

// compose is the part of docker-compose.yml this test reads.
type compose struct {
	Services map[string]struct {
		Build       any               `yaml:"build"`
		Image       string            `yaml:"image"`
		Ports       []string          `yaml:"ports"`
		Environment map[string]string `yaml:"environment"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		Restart         string   `yaml:"restart"`
		ReadOnly        bool     `yaml:"read_only"`
		Tmpfs           []string `yaml:"tmpfs"`
		StopGracePeriod string   `yaml:"stop_grace_period"`
		Volumes         []string `yaml:"volumes"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestDockerCompose checks docker-compose.yml: web built from here, waiting for a healthy
// PostgreSQL 16, health-checked by the binary, read-only, with time to drain on stop.
func TestDockerCompose(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	web, db := c.Services["web"], c.Services["db"]
	if web.Build != "." || len(web.Ports) != 1 || web.Ports[0] != "5000:5000" {
		t.Errorf("web: build %v ports %v", web.Build, web.Ports)
	}
	if web.DependsOn["db"].Condition != "service_healthy" {
		t.Errorf("web does not wait for a healthy db: %+v", web.DependsOn)
	}
	if web.Healthcheck == nil || strings.Join(web.Healthcheck.Test, " ") != "CMD /reportapp healthcheck" {
		t.Errorf("web healthcheck = %+v", web.Healthcheck)
	}
	if web.Restart != "unless-stopped" || !web.ReadOnly || len(web.Tmpfs) == 0 || web.StopGracePeriod != "30s" {
		t.Errorf("web: restart %q read_only %v tmpfs %v stop_grace_period %q", web.Restart, web.ReadOnly, web.Tmpfs, web.StopGracePeriod)
	}
	if web.Environment["DB_HOST"] != "db" {
		t.Errorf("web does not reach the db service: DB_HOST=%q", web.Environment["DB_HOST"])
	}
	if mp, ok := c.Services["mailpit"]; !ok || !strings.HasPrefix(mp.Image, "axllent/mailpit") || len(mp.Ports) != 1 || mp.Ports[0] != "8025:8025" {
		t.Errorf("mailpit: %+v", c.Services["mailpit"])
	}
	if got := web.Environment["SMTP_URL"]; got != "${SMTP_URL:-smtp://mailpit:1025}" {
		t.Errorf("web's SMTP_URL = %q, want the mailpit service by default", got)
	}
	if _, ok := web.DependsOn["mailpit"]; !ok {
		t.Errorf("web does not start after mailpit: %+v", web.DependsOn)
	}
	if db.Image != "postgres:16" || len(db.Ports) != 1 || db.Ports[0] != "15432:5432" {
		t.Errorf("db: image %q ports %v", db.Image, db.Ports)
	}
	if db.Healthcheck == nil || !strings.Contains(strings.Join(db.Healthcheck.Test, " "), "pg_isready") {
		t.Errorf("db healthcheck = %+v", db.Healthcheck)
	}
	if len(db.Volumes) == 0 {
		t.Fatalf("db data is not on a volume")
	}
	if _, ok := c.Volumes[strings.Split(db.Volumes[0], ":")[0]]; !ok {
		t.Errorf("db data is not on a named volume: %v", db.Volumes)
	}
}
