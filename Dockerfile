# syntax=docker/dockerfile:1
# reportapp: one static Go binary on distroless. No fonts, no browser, no Python: the Japanese
# font is embedded in the binary and PDFs are rendered in pure Go.

FROM golang:1.26-bookworm AS build
WORKDIR /src
ARG VERSION=dev
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/reportapp ./cmd/reportapp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/reportapp /reportapp
# The SQLite default writes under DATA_DIR; with PostgreSQL nothing is written to disk.
ENV ADDR=:5000 \
    APP_ENV=production \
    DATA_DIR=/data
USER nonroot:nonroot
EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["/reportapp", "healthcheck"]
ENTRYPOINT ["/reportapp"]
CMD ["serve"]
