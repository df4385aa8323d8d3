// Package server is the reportapp HTTP process: it owns the listener, the
// http.Server timeouts, the middleware every request passes through (request
// id, access log and metrics, panic recovery, security headers, load
// shedding, body limit, request deadline), the health and metrics endpoints,
// and graceful shutdown. It replaces what Gunicorn did for the Flask app:
// bounded concurrency instead of a fixed worker count, a per-request timeout,
// and a drain that fits the platform's stop timeout.
//
// The application's routes stay in the web package; New wraps them.
package server
