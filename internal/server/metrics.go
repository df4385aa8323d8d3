package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// routeUnmatched is the route label of requests no pattern matched, so that
// scanners probing a thousand paths add one series, not a thousand.
const routeUnmatched = "unmatched"

// metrics are the HTTP collectors of one Server.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
	shed     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportapp_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "reportapp_http_request_duration_seconds",
			Help: "Time to serve an HTTP request, by method and route pattern.",
			// Up to a minute: PDF rendering of long documents is slow.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"method", "route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "reportapp_http_inflight",
			Help: "HTTP requests being served or waiting for a slot.",
		}),
		shed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "reportapp_http_shed_total",
			Help: "HTTP requests refused with 503 because MaxInflight requests were busy for longer than QueueTimeout.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inflight, m.shed} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("server: register http metrics: %w", err)
		}
	}
	// main or a test may already have registered the runtime collectors on
	// the same registry; one copy is what we want either way.
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			if are := (prometheus.AlreadyRegisteredError{}); !errors.As(err, &are) {
				return nil, fmt.Errorf("server: register runtime metrics: %w", err)
			}
		}
	}
	return m, nil
}

// methodLabel bounds the method label to the methods HTTP defines, so that
// made-up methods cannot create series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}
